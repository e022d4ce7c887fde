"""docqa's Discord bot: answers questions with cited passages and logs them.

Edge first: ``__main__`` (the command line), ``app`` (the bot, given what it needs),
``cogs/`` (thin handlers), ``ui/`` (what members see), ``answering`` (one service call per
question), ``engines`` (which engine answers where), ``storage/`` (the only SQL),
``library/`` (uploaded documents), ``settings``, ``console`` (``--console``).

Nothing is re-exported here: importing ``bot.storage.records`` must not pull in discord.py.
"""
