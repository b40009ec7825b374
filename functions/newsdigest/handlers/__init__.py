"""Lambda entry points: thin - parse the event, call one piece of logic, return."""
