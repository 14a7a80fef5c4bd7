"""Conversation brains for the text paths (Twilio speech engine, simulator): built-in or OpenAI chat."""
