"""docqa's Discord bot: answers questions with cited passages and logs them to SQLite.

Modules, edge first: ``__main__`` (CLI), ``client`` (the Bot and its set-up), ``cogs/`` (one per
concern), ``views`` (persistent buttons), ``replies`` (every send), ``formatting`` and ``textfit``
(pure rendering within Discord's limits), ``service`` (the ask pipeline), ``restore`` (logged
answers rebuilt), ``index`` (the engine, cached), ``storage`` and ``records`` (the query log),
``config`` (settings), ``console`` (``--console``).

Nothing is re-exported here: importing ``bot.records`` or ``bot.storage`` must not pull in
discord.py and the whole client.
"""
