"""The desktop application: a Qt front end that only calls ``core``."""
