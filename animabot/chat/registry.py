"""Finds adapters through the ``animabot.adapters`` entry-point group.

An adapter's platform library comes with a pip extra (``animabot[telegram]``), so it may be
missing: an adapter that cannot load is skipped while it is disabled, and refused with the
extra to install once it is enabled. Loading is per entry point, so one missing library never
stops the others (the demo needs none).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from importlib.metadata import EntryPoint, entry_points
from importlib.util import find_spec
from typing import Any, cast

from pydantic import BaseModel

from ..config import Settings, UnreadableSection
from ..config.communes import bot_settings, deployment_bot_settings, own_bot
from ..domain.bots import bot_name, platform_of
from ..errors import AnimabotError
from ..privacy.pseudonyms import Pseudonymizer
from .contract import AdapterFactory, ChatAdapter
from .outgoing import OutgoingMessage

GROUP = "animabot.adapters"


class AdapterMissingError(AnimabotError):
    """An enabled adapter's platform library is not installed."""

    def __init__(self, name: str, extra: str, cause: ImportError) -> None:
        self.name, self.extra = name, extra
        super().__init__(
            f"the {name} adapter is enabled but cannot load ({cause}): install its extra with "
            f"pip install 'animabot[{extra}]' (from a source checkout: pip install '.[{extra}]'),"
            f" or set [{name}] enabled = false"
        )


def _load(point: EntryPoint) -> AdapterFactory:
    factory = point.load()
    return cast(AdapterFactory, factory() if isinstance(factory, type) else factory)


def _points() -> dict[str, EntryPoint]:
    return {point.name: point for point in entry_points(group=GROUP)}


def platform_names() -> list[str]:
    """The platforms an operator may enable, by entry point (whether or not their library
    is installed): every adapter but the demo's simulated one."""
    return sorted(name for name in _points() if name != "simulated")


def _extra(name: str, factory: AdapterFactory | None) -> str:
    return str(getattr(factory, "extra", name))


def available_adapters() -> dict[str, AdapterFactory]:
    """Every adapter whose entry point loads; those whose library is missing are left out."""
    factories: dict[str, AdapterFactory] = {}
    for name, point in _points().items():
        try:
            factories[name] = _load(point)
        except ImportError:
            continue
    return factories


@cache
def settings_models() -> dict[str, type[BaseModel]]:
    """Each installed adapter's table model, by adapter name (see ``AdapterFactory``). An
    entry point that cannot load keeps a permissive table, so its ``enabled`` is still read;
    cached: ``settings_models.cache_clear()`` after installing an adapter in a test."""
    models: dict[str, type[BaseModel]] = {}
    for name, point in sorted(_points().items()):
        try:
            factory = _load(point)
        except ImportError:
            models[name] = UnreadableSection
            continue
        model = getattr(factory, "settings_model", None)
        if isinstance(model, type) and issubclass(model, BaseModel):
            models[name] = model
    return models


@cache
def per_commune_platforms() -> set[str]:
    """The adapters that run a bot per commune (their factory's ``bots_per_commune``): a
    commune may write their table under ``[communes.<id>]``."""
    names: set[str] = set()
    for name, point in _points().items():
        try:
            if getattr(_load(point), "bots_per_commune", False):
                names.add(name)
        except ImportError:
            continue
    return names


@cache
def platform_labels() -> dict[str, str]:
    """How the dashboard names each installed platform: its factory's ``label``, if any."""
    labels: dict[str, str] = {}
    for name, point in _points().items():
        try:
            labels[name] = str(getattr(_load(point), "label", name.capitalize()))
        except ImportError:
            continue
    return labels


Preview = Callable[[Settings, OutgoingMessage], str]


def platform_previews() -> dict[str, Preview]:
    """Each installed platform's ``preview`` (a message as its residents read it, as plain
    text, under the configuration given), by the platform's label; platforms without one
    are left out."""
    previews: dict[str, Preview] = {}
    for name, point in sorted(_points().items()):
        try:
            factory = _load(point)
        except ImportError:
            continue
        show = getattr(factory, "preview", None)
        if callable(show):
            previews[str(getattr(factory, "label", name.capitalize()))] = show
    return previews


def platform_label(bot: str) -> str:
    """How the dashboard names a bot's platform: a commune's own bot (``telegram.bourg``)
    is its platform's label (``Telegram``)."""
    platform = platform_of(bot)
    return platform_labels().get(platform) or platform.capitalize()


def _section_enabled(settings: Settings, name: str) -> bool:
    """Read ``[name] enabled`` without the factory (which could not load)."""
    return bool(getattr(getattr(settings, name, None), "enabled", False))


def enabled_adapters(settings: Settings) -> dict[str, AdapterFactory]:
    """The adapters the configuration turns on, by name; raises :class:`AdapterMissingError`
    for an enabled one that cannot load, and imports nothing for the disabled ones."""
    enabled: dict[str, AdapterFactory] = {}
    for name, point in sorted(_points().items()):
        try:
            factory = _load(point)
        except ImportError as exc:
            if _section_enabled(settings, name):
                raise AdapterMissingError(name, _extra(name, None), exc) from None
            continue
        if factory.enabled(settings):
            _check_installed(factory)
            enabled[name] = factory
    return enabled


def enabled_bots(settings: Settings) -> dict[str, tuple[AdapterFactory, Settings]]:
    """Every bot to run, by name, with the configuration it reads: the deployment's enabled
    adapters (``telegram``), then each commune's own (``telegram.bourg``, reading its
    commune's table, facilitators and neighbourhoods)."""
    bots = {name: (factory, deployment_bot_settings(settings, name))
            for name, factory in enabled_adapters(settings).items()}
    for commune in sorted(settings.communes):
        for platform in sorted(settings.communes[commune].bot_tables()):
            if own_bot(settings, platform, commune):
                factory = adapter_factory(platform)
                _check_installed(factory)
                bots[bot_name(platform, commune)] = (
                    factory, bot_settings(settings, platform, commune))
    return bots


def _check_installed(factory: AdapterFactory) -> None:
    """Look for the libraries a factory ``requires`` without importing them, so a missing
    extra is reported before the database or any file is touched."""
    for module in getattr(factory, "requires", ()):
        try:
            found = find_spec(module) is not None
        except ImportError as exc:
            raise AdapterMissingError(factory.name, _extra(factory.name, factory), exc) from None
        if not found:
            cause = ModuleNotFoundError(f"No module named {module!r}", name=module)
            raise AdapterMissingError(factory.name, _extra(factory.name, factory), cause)


def create_adapter(
    factory: AdapterFactory, settings: Settings, pseudonymize: Pseudonymizer, **options: Any
) -> ChatAdapter:
    """``factory.create``, with a missing platform library turned into the extra to install
    (factories import their library lazily, on create)."""
    try:
        return factory.create(settings, pseudonymize, **options)
    except ImportError as exc:
        raise AdapterMissingError(factory.name, _extra(factory.name, factory), exc) from None


def adapter_factory(name: str) -> AdapterFactory:
    """One adapter's factory, loading no other adapter."""
    points = _points()
    if name not in points:
        known = ", ".join(sorted(points)) or "none: is animabot installed (pip install -e .)?"
        raise AnimabotError(f"no adapter named {name!r}; installed adapters: {known}")
    try:
        return _load(points[name])
    except ImportError as exc:
        raise AdapterMissingError(name, name, exc) from None
