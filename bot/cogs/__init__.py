"""The bot's cogs, one per concern; ``bot.app.EXTENSIONS`` lists the ones loaded."""
