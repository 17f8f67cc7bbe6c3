"""Plain data, constants and pure rules: what every layer above shares. Imports nothing from bot."""
