"""Hand-offs from the assistant to a person (人工服务)."""
