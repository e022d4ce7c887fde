"""What members see: embeds and plain text within Discord's limits, Discord Markdown for
excerpts, the persistent buttons under an answer, moderators' replies and charts, and every
send (``replies``, with one retry of Discord's server errors in ``retries``)."""
