"""The server's fixed limits on what a request may be, in one place: the code, the messages and the README's
table of error codes all read them from here."""

MAX_REQUEST_BYTES = 1_000_000      # a request body (a POSTed query)
MAX_HEAD_BYTES = 65_536           # a request line and its headers, as sent
MAX_PATH_BYTES = 2048              # a request path, as sent (percent-encoded)
MAX_SEGMENT_BYTES = 255            # one segment of the path, decoded (a file name on most file systems)
MAX_NESTING = 128                  # brackets nested in a query (Oxigraph's parser overflows a worker near 2,200)
