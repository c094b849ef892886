#!/usr/bin/env bash
# A whole session with curl against a running daemon (see README: the run command).
# Usage: examples/curl-session.sh [chat-id]
set -euo pipefail
BASE=${AGENT_HOST_URL:-http://127.0.0.1:8787}
KEY=${AGENT_HOST_SECRET_KEY:-$(cat .agent-host/secret-key)}
CHAT=${1:-demo-$(date +%s)}

echo "== create session $CHAT (server side, secret key)"
TOKEN=$(curl -sf -H "Authorization: Bearer $KEY" -d "{\"chatId\":\"$CHAT\",\"agent\":\"my-chat\"}" \
  "$BASE/api/v1/sessions" | python3 -c 'import json,sys; print(json.load(sys.stdin)["publicAccessToken"])')

echo "== send a message (client side, public token)"
# A fresh message id per message: an id the history has is an edit of that message.
MSG=m-$(date +%s%N)
curl -sf -H "Authorization: Bearer $TOKEN" -H "Idempotency-Key: $MSG" \
  -d '{"kind":"message","message":{"id":"'"$MSG"'","role":"user","parts":[{"type":"text","text":"hello world"}]}}' \
  "$BASE/realtime/v1/sessions/$CHAT/in"; echo

echo "== read the stream until the turn completes"
coproc STREAM { curl -sN -H "Authorization: Bearer $TOKEN" "$BASE/realtime/v1/sessions/$CHAT/out"; }
while IFS= read -r line <&"${STREAM[0]}"; do
  echo "$line"
  case "$line" in *data-turn-complete*) break ;; esac
done
kill "$STREAM_PID" 2>/dev/null || true

echo "== history"
curl -sf -H "Authorization: Bearer $TOKEN" "$BASE/realtime/v1/sessions/$CHAT/messages"; echo
