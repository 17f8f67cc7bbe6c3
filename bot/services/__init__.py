"""Services own transactions and rules; listeners and the CLI call them with plain arguments."""
