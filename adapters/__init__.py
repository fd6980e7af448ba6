"""Platform adapters. Each folder is one platform, registered in the ``animabot.adapters``
entry-point group; the core never imports this package."""
