"""The residents' public face: personal-link pages, sign-up, posters (see :mod:`.app`)."""
