-- wrk script for bench/tenants.sh: every request goes to a random tenant (Host header
-- tN.bench.test) with that tenant's session cookie, read from the file in $SESSIONS
-- (one "slug cookie" pair per line).
local tenants = {}

function init(args)
  local path = os.getenv("SESSIONS")
  for line in io.lines(path) do
    local slug, cookie = line:match("^(%S+)%s+(%S+)$")
    if slug then tenants[#tenants + 1] = { slug, cookie } end
  end
  math.randomseed(os.time() + (tonumber(tostring({}):sub(8)) or 0))
end

-- Paced load: with DELAY_MS set, each connection waits that long before its next request, so
-- the offered rate is about connections * 1000 / DELAY_MS per second (wrk times each request
-- from its send, so the pause is not counted as latency).
local delay_ms = tonumber(os.getenv("DELAY_MS") or "")

if delay_ms then
  function delay()
    return delay_ms
  end
end

function request()
  local t = tenants[math.random(#tenants)]
  return wrk.format("GET", os.getenv("PAGE") or "/", {
    ["Host"] = t[1] .. ".bench.test",
    ["Cookie"] = "kontor_session=" .. t[2],
  })
end

function done(summary, latency, requests)
  io.write(string.format("requests: %d, errors: connect %d read %d write %d status %d timeout %d\n",
    summary.requests, summary.errors.connect, summary.errors.read, summary.errors.write,
    summary.errors.status, summary.errors.timeout))
  for _, p in pairs({ 50, 90, 99, 99.9 }) do
    io.write(string.format("p%g: %.2f ms\n", p, latency:percentile(p) / 1000))
  end
end
