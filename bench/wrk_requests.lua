-- wrk script for the hub's benchmarks: one method and set of headers for every request; the paths (one a line) are
-- sent in turn, and with a bodies file (one JSON body a line) each request sends the next unused body, so that no
-- two submissions are the same.
-- Arguments (after `--`): method, headers file (one "Name: value" a line), paths file, bodies file or "-", threads.
local threads = {}
local method, paths, bodies, count

local function lines(name)
  local result = {}
  for line in io.lines(name) do
    if line ~= "" then
      result[#result + 1] = line
    end
  end
  return result
end

function setup(thread)
  thread:set("id", #threads)
  threads[#threads + 1] = thread
end

function init(args)
  method = args[1]
  for _, line in ipairs(lines(args[2])) do
    local name, value = line:match("^([^:]+):%s*(.*)$")
    wrk.headers[name] = value
  end
  paths = lines(args[3])
  if args[4] ~= "-" then
    bodies = lines(args[4])
    wrk.headers["Content-Type"] = "application/json"
  end
  count = tonumber(args[5])
  sent = 0
end

function request()
  -- threads take turns: thread k sends the k-th, (k + n)-th, (k + 2n)-th ... path and body
  local index = sent * count + id
  sent = sent + 1
  local body = nil
  if bodies then
    body = bodies[(index % #bodies) + 1]
  end
  return wrk.format(method, paths[(index % #paths) + 1], nil, body)
end

function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "non_ok": %d, "socket_errors": %d, "p50_us": %d, "p99_us": %d}\n',
    summary.requests, summary.duration, errors.status,
    errors.connect + errors.read + errors.write + errors.timeout,
    latency:percentile(50), latency:percentile(99)))
end
