"""Container health check: GET /healthz on the local gunicorn, as the public site would be asked.

Host is ROOT_DOMAIN (the health check lives on the public site's URLconf, and ALLOWED_HOSTS
refuses anything else) and X-Forwarded-Proto is https, as the proxy sends it (otherwise
SECURE_SSL_REDIRECT would answer a 301). Exit 0 when /healthz answers 200, else 1.

Standard library only, and no Django import: it must stay cheap and independent of the app.
"""

import os
import sys
import urllib.error
import urllib.request


def main() -> int:
    port = os.environ.get("PORT", "8000")
    host = os.environ.get("ROOT_DOMAIN", "")
    if not host:
        print("healthcheck: ROOT_DOMAIN is not set", file=sys.stderr)
        return 1
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/healthz",
        headers={"Host": host, "X-Forwarded-Proto": "https"},
    )
    try:
        with urllib.request.urlopen(request, timeout=8) as response:  # noqa: S310 (fixed URL)
            body = response.read(500).decode(errors="replace")
            status = response.status
    except urllib.error.HTTPError as error:
        body = error.read(500).decode(errors="replace")
        status = error.code
    except OSError as error:
        print(f"healthcheck: {error}", file=sys.stderr)
        return 1
    print(f"healthcheck: {status} {body}")
    return 0 if status == 200 else 1


if __name__ == "__main__":
    sys.exit(main())
