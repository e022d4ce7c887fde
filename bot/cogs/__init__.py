"""The bot's cogs, one per concern; ``bot.client.EXTENSIONS`` lists the ones loaded."""
