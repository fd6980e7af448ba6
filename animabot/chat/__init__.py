"""The contract between the core and platform adapters: neutral events in, neutral sends out."""
