"""Domain logic. Functions take a Session (or plain data) and return plain objects; no Textual."""
