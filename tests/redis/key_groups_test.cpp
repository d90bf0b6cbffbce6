// Key groups without Redis: glob patterns matched as Redis matches them, and the sampler's
// estimates from hand-fed SCAN passes.

#include "probes/redis/key_groups.hpp"
#include "probes/redis/key_pattern.hpp"

#include <gtest/gtest.h>

#include <string>

namespace msgwatch::redis {
namespace {

TEST(GlobMatch, AsRedisMatchesKeys) {
  EXPECT_TRUE(glob_match("dedup:*", "dedup:42"));
  EXPECT_TRUE(glob_match("dedup:*", "dedup:"));
  EXPECT_FALSE(glob_match("dedup:*", "xdedup:1"));
  EXPECT_TRUE(glob_match("*", ""));
  EXPECT_TRUE(glob_match("h?llo", "hello"));
  EXPECT_FALSE(glob_match("h?llo", "hllo"));
  EXPECT_TRUE(glob_match("h[ae]llo", "hallo"));
  EXPECT_FALSE(glob_match("h[ae]llo", "hillo"));
  EXPECT_TRUE(glob_match("h[^e]llo", "hallo"));
  EXPECT_FALSE(glob_match("h[^e]llo", "hello"));
  EXPECT_TRUE(glob_match("h[a-b]llo", "hbllo"));
  EXPECT_TRUE(glob_match("h[b-a]llo", "hallo")) << "a reversed range, as Redis reads it";
  EXPECT_TRUE(glob_match("a\\*b", "a*b"));
  EXPECT_FALSE(glob_match("a\\*b", "axb"));
  EXPECT_TRUE(glob_match("user:*:session:*", "user:7:session:abc"));
  EXPECT_FALSE(glob_match("user:*:session:*", "user:7:profile"));
  EXPECT_TRUE(glob_match("*:*:*", "a:b:c"));
  EXPECT_TRUE(glob_match("q\\:*", "q:1"));
  const std::string binary("k\0ey", 4);
  EXPECT_TRUE(glob_match("k?ey", binary)) << "binary-safe";
  // A pattern that is exponential for a naive backtracking matcher.
  EXPECT_FALSE(glob_match("*a*a*a*a*a*a*a*a*a*b", std::string(5000, 'a')));
}

// A pass of 1,000 keys: 600 dedup:* with a one-hour TTL, 300 session:* with ten minutes, 100
// others. The database has 10,000 keys now: the estimates scale the pass's shares.
TEST(KeyGroupSampler, SharesOfACompletePassScaledToTheDatabase) {
  KeyGroupSampler sampler({{"dedup", "dedup:*"}, {"sessions", "session:*"}});
  EXPECT_TRUE(sampler.estimates(10000).empty()) << "nothing seen yet";
  EXPECT_EQ(sampler.cursor(), "0");
  for (int i = 0; i < 1000; ++i) {
    const std::string key = i < 600   ? "dedup:" + std::to_string(i)
                            : i < 900 ? "session:" + std::to_string(i)
                                      : "other:" + std::to_string(i);
    const auto group = sampler.observe(key);
    if (i % 10 == 0 && group) sampler.detail(*group, *group == 0 ? 3600.0 : 600.0, 100.0);
    if (i == 500) sampler.scanned("1234");
  }
  EXPECT_FALSE(sampler.pass_complete());
  sampler.scanned("0");
  EXPECT_TRUE(sampler.pass_complete());
  EXPECT_EQ(sampler.sample_keys(), 1000);
  const auto estimates = sampler.estimates(10000);
  ASSERT_EQ(estimates.size(), 2U);
  EXPECT_EQ(estimates[0].name, "dedup");
  EXPECT_DOUBLE_EQ(estimates[0].keys, 6000);
  EXPECT_DOUBLE_EQ(*estimates[0].memory_bytes, 600000);
  EXPECT_DOUBLE_EQ(*estimates[0].keys_without_ttl, 0);
  const auto& dedup_ttl = *estimates[0].keys_ttl_at_most;
  EXPECT_DOUBLE_EQ(dedup_ttl[2], 0) << "900 s";
  EXPECT_DOUBLE_EQ(dedup_ttl[3], 6000) << "3600 s";
  EXPECT_DOUBLE_EQ(dedup_ttl.back(), 6000);
  EXPECT_DOUBLE_EQ(estimates[1].keys, 3000);
  EXPECT_DOUBLE_EQ((*estimates[1].keys_ttl_at_most)[2], 3000);

  // The next pass is under way: the estimates stay on the complete one.
  for (int i = 0; i < 10; ++i) sampler.observe("other:" + std::to_string(i));
  EXPECT_DOUBLE_EQ(sampler.estimates(10000)[0].keys, 6000);
  EXPECT_EQ(sampler.sample_keys(), 1000);
}

TEST(KeyGroupSampler, BeforeTheFirstPassTheKeysSoFarAreTheSample) {
  KeyGroupSampler sampler(std::vector<KeyGroupPattern>{{"queues", "queue:*"}});
  for (int i = 0; i < 100; ++i) sampler.observe(i < 25 ? "queue:" + std::to_string(i) : "k" + std::to_string(i));
  sampler.scanned("77");
  const auto estimates = sampler.estimates(2000);
  ASSERT_EQ(estimates.size(), 1U);
  EXPECT_DOUBLE_EQ(estimates[0].keys, 500);
  EXPECT_FALSE(estimates[0].memory_bytes.has_value()) << "no key's memory read";
  EXPECT_FALSE(estimates[0].keys_ttl_at_most.has_value());
  EXPECT_FALSE(sampler.pass_complete());
}

TEST(KeyGroupSampler, AKeyBelongsToTheFirstGroupThatMatches) {
  KeyGroupSampler sampler({{"hot", "cache:hot:*"}, {"cache", "cache:*"}});
  EXPECT_EQ(sampler.observe("cache:hot:1"), 0U);
  EXPECT_EQ(sampler.observe("cache:cold:1"), 1U);
  EXPECT_EQ(sampler.observe("other"), std::nullopt);
}

}  // namespace
}  // namespace msgwatch::redis
