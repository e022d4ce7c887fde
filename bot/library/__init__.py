"""Documents a server uploads: kept on disk per server (``uploaded``), the rules an upload must
pass (``rules``), and following other processes' uploads in a shared folder (``watch``)."""
