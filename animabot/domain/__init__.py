"""The domain's words and pure rules that every layer shares: a campaign's and a delivery's
status, the sending window, a local actor. Standard library only: no I/O, nothing from
the rest of animabot, so that the store and everything above it can speak them."""
