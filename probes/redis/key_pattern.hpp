#pragma once
// Redis's glob patterns (as KEYS, SCAN MATCH and the key groups use them), matched the way
// Redis's own stringmatchlen does: `*` any run of bytes, `?` one byte, `[abc]`, `[^abc]` and
// `[a-z]` a class, `\x` the byte x. Binary-safe: keys may hold any byte.

#include <string_view>

namespace msgwatch::redis {

bool glob_match(std::string_view pattern, std::string_view key);

}  // namespace msgwatch::redis
