"""E-mail: residents reached one by one through the town hall's SMTP relay (see
``docs/courriel.md``). The entry point is the light ``factory``; ``aiosmtplib`` loads only
when ``[email]`` is enabled."""
