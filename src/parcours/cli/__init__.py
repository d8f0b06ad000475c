"""The command-line front door (Typer + Rich). The only layer that prints."""
