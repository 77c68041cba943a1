#!/usr/bin/env bash
# docs/deployment.md, "Behind nginx with TLS": deploy/nginx/gpsi.conf as shipped (only its ports,
# certificate paths and server name substituted) in front of gpsi serve, on loopback, with a
# self-signed certificate. HTTPS answers carry gpsi's security headers and HSTS, ETag/304 and gzip
# pass through, plain HTTP redirects, old TLS is refused, and nginx enforces the limits.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
command -v nginx >/dev/null || fail "nginx is not installed (make setup)"

serve "$GPSI_STORE" gpsi
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
https=$(free_port)
http=$(free_port)

openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=localhost" -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
  -keyout "$work/key.pem" -out "$work/cert.pem" 2>/dev/null || fail "openssl"

sed -e "s|listen 443 ssl http2;|listen 127.0.0.1:$https ssl http2;|" -e "/listen \[::\]:443/d" \
    -e "s|listen 80;|listen 127.0.0.1:$http;|" -e "/listen \[::\]:80;/d" \
    -e "s|server 127.0.0.1:8080;|server 127.0.0.1:$port_gpsi;|" \
    -e "s|/etc/letsencrypt/live/gpsi.example.org/fullchain.pem|$work/cert.pem|" \
    -e "s|/etc/letsencrypt/live/gpsi.example.org/privkey.pem|$work/key.pem|" \
    -e "s|server_name gpsi.example.org;|server_name localhost;|" \
    "$GPSI_SOURCE/deploy/nginx/gpsi.conf" > "$work/site.conf"
grep -q "$port_gpsi" "$work/site.conf" && grep -q "$https ssl" "$work/site.conf" || fail "the shipped config changed: update the substitutions"
cat > "$work/nginx.conf" <<CONF
daemon off;
worker_processes 1;
pid $work/nginx.pid;
error_log $work/error.log warn;
events { worker_connections 1024; }
http {
  access_log $work/access.log;
  client_body_temp_path $work/body; proxy_temp_path $work/proxy;
  fastcgi_temp_path $work/fcgi; uwsgi_temp_path $work/uwsgi; scgi_temp_path $work/scgi;
  include $work/site.conf;
}
CONF
nginx -t -p "$work" -c "$work/nginx.conf" 2>"$work/nginx-t.log" || { cat "$work/nginx-t.log" >&2; fail "nginx -t"; }
nginx -p "$work" -c "$work/nginx.conf" 2>>"$work/error.log" &
pids+=($!)
base=https://localhost:$https
c() { curl -s --cacert "$work/cert.pem" --resolve "localhost:$https:127.0.0.1" --resolve "localhost:$http:127.0.0.1" "$@"; }
for _ in $(seq 100); do c -o /dev/null "$base/api/v1/health" && break; sleep 0.1; done

head=$(c -D - -o "$work/health.json" "$base/api/v1/health")
grep -q '^HTTP/2 200' <<<"$head" || { echo "$head" >&2; fail "GET /api/v1/health over HTTPS"; }
grep -q '"status":"ok"' "$work/health.json" || fail "health body"
for h in strict-transport-security content-security-policy x-content-type-options x-frame-options referrer-policy etag; do
  grep -qi "^$h:" <<<"$head" || fail "header $h missing through the proxy"
done
pass "HTTPS answers with gpsi's headers and HSTS"

etag=$(sed -n 's/^etag: *\(.*\)\r$/\1/Ip' <<<"$head")
[ "$(c -o /dev/null -w '%{http_code}' -H "If-None-Match: $etag" "$base/api/v1/health")" = 304 ] || fail "304 through the proxy"
enc=$(c -D - -o /dev/null -H 'Accept-Encoding: gzip' "$base/api/v1/scores" | sed -n 's/^content-encoding: *\(.*\)\r$/\1/Ip')
[ "$enc" = gzip ] || fail "gzip through the proxy (got '$enc')"
direct=$(curl -s "http://127.0.0.1:$port_gpsi/api/v1/scores" | sha256sum)
[ "$(c "$base/api/v1/scores" | sha256sum)" = "$direct" ] || fail "the proxied answer differs from gpsi's"
pass "ETag, 304 and gzip pass through; bodies identical"

code=$(c -o /dev/null -w '%{http_code} %{redirect_url}' "http://localhost:$http/api/v1/health")
[[ "$code" == "301 https://localhost/api/v1/health" ]] || fail "plain HTTP: $code"
c --tls-max 1.1 -o /dev/null "$base/api/v1/health" && fail "TLS 1.1 was accepted"
pass "HTTP redirects to HTTPS; TLS below 1.2 refused"

big=$(head -c 70000 /dev/zero | tr '\0' 'x')
[ "$(c -o /dev/null -w '%{http_code}' -X POST -H 'Content-Type: application/json' --data "$big" "$base/api/v1/whatif")" = 413 ] \
  || fail "a body over 64 KiB"
code=$(c -o /dev/null -w '%{http_code}' -X POST -H 'Content-Type: application/json' --data '{"weights":{}}' "$base/api/v1/whatif")
[ "$code" = 200 ] || fail "POST /api/v1/whatif through the proxy: $code"
pass "body limit and POST"

# A dashboard's page load (30 requests back to back on one connection) is within the burst: all 200.
page=$(c -w '%{http_code}\n' $(for i in $(seq 30); do echo "-o /dev/null $base/api/v1/units/CHN"; done) | sort | uniq -c)
[ "$(tr -s ' ' <<<"$page" | sed 's/^ //')" = "30 200" ] || { echo "$page" >&2; fail "a page load was limited"; }
sleep 2  # the bucket drains (50/s)

# Faster than limit_req (50/s, burst 100) from one address: nginx answers 503 beyond it, gpsi is untouched.
python3 - "$https" <<'PY' || fail "limit_req"
import socket, ssl, sys
port = int(sys.argv[1])
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
codes = []
for _ in range(5):  # 5 connections × 60 pipelined requests, sent at once
    s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", port)), server_hostname="localhost")
    s.sendall(b"GET /api/v1/health HTTP/1.1\r\nHost: localhost\r\n\r\n" * 59 +
              b"GET /api/v1/health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
    s.settimeout(10)
    data = b""
    while True:
        d = s.recv(65536)
        if not d:
            break
        data += d
    codes += [line[9:12] for line in data.split(b"\r\n") if line.startswith(b"HTTP/1.1 ")]
print("answers:", {c.decode(): codes.count(c) for c in set(codes)})
# nginx closes a connection after refusing on it, so not every pipelined request gets an answer.
ok = codes and set(codes) <= {b"200", b"503"} and codes.count(b"503") >= 50 and codes.count(b"200") >= 1
sys.exit(0 if ok else 1)
PY
pass "nginx limits the request rate per client"
curl -sf "http://127.0.0.1:$port_gpsi/api/v1/health" >/dev/null || fail "gpsi stopped answering"
