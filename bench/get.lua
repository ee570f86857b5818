-- GET scenarios (petition page, count.json, embed): no request() and no response()
-- hook, so wrk sends its prebuilt request and counts the answers itself. With a
-- response() hook wrk built a table of every answer's headers and copied its body
-- into Lua: on the 20 KB page that cost 15-20 % of the answers per second nginx gave,
-- wrk sharing the machine's two cores with it. wrk counts an answer that is not 2xx
-- or 3xx as an error; bench/run checks before each run that the URL answers 200.
package.path = "bench/?.lua;" .. package.path
require "common"

counted_by_wrk = true -- read by done() in common.lua
