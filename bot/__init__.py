"""docqa's Discord bot: answers questions with cited passages and logs them to SQLite."""
