#include "probes/kafka/lag/offset_history.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

namespace msgwatch::kafka {
namespace {

using TimePoint = OffsetHistory::TimePoint;

// Times are seconds after an arbitrary origin; offsets and times below are chosen so that
// the interpolated values are exact in binary floating point.
TimePoint at(std::int64_t seconds) { return TimePoint{} + std::chrono::seconds(seconds); }

constexpr std::int64_t hour = 3600;

TEST(OffsetHistory, EmptyHistoryCannotTell) {
  const OffsetHistory history;
  EXPECT_EQ(history.lag_seconds(0, at(0)), std::nullopt);
  EXPECT_EQ(history.newest(), std::nullopt);
  EXPECT_EQ(history.previous_end_offset(), std::nullopt);
}

TEST(OffsetHistory, CaughtUpGroupOnAnIdleTopicStaysAtZeroForHours) {
  OffsetHistory history;
  for (std::int64_t t = 0; t <= 6 * hour; t += 30) {
    ASSERT_TRUE(history.record(1000, at(t)));
    ASSERT_EQ(history.lag_seconds(1000, at(t)), 0.0) << "at " << t << " s";
  }
  // A committed offset past the end (read before a truncation) is caught up, not negative.
  EXPECT_EQ(history.lag_seconds(1200, at(6 * hour)), 0.0);
  // A quiet spell is one run: its first and its last sample.
  ASSERT_EQ(history.points().size(), 2u);
  EXPECT_EQ(history.points()[0], (OffsetHistory::Point{1000, at(0)}));
  EXPECT_EQ(history.points()[1], (OffsetHistory::Point{1000, at(6 * hour)}));
}

TEST(OffsetHistory, GroupBehindOnAnIdleTopicAgesInRealTime) {
  OffsetHistory history;
  history.record(936, at(0));
  history.record(1000, at(32));  // 64 messages in 32 s, then nothing for six hours
  for (std::int64_t t = 62; t <= 6 * hour; t += 30) history.record(1000, at(t));

  // Offset 968 was written when the end reached 969: 33 of 64 messages into the burst.
  const double written = 33 * 0.5;
  for (const std::int64_t now : {std::int64_t{32}, hour, 6 * hour}) {
    EXPECT_EQ(history.lag_seconds(968, at(now)), now - written) << "at " << now << " s";
  }
  // The last message, offset 999, is taken as written at the sample that first showed it.
  EXPECT_EQ(history.lag_seconds(999, at(6 * hour)), 6 * hour - 32.0);
  EXPECT_EQ(history.lag_seconds(1000, at(6 * hour)), 0.0);
}

TEST(OffsetHistory, BurstAfterAQuietSpellIsInterpolatedWithinTheBurst) {
  OffsetHistory history;
  history.record(100, at(0));
  history.record(100, at(600));  // ten quiet minutes
  history.record(164, at(632));  // then 64 messages in 32 s

  // The bracket starts at the end of the quiet spell, not at its start.
  EXPECT_EQ(history.lag_seconds(100, at(632)), 31.5);  // 1 of 64: written at 600.5
  EXPECT_EQ(history.lag_seconds(131, at(632)), 16.0);  // 32 of 64: written at 616
  EXPECT_EQ(history.lag_seconds(163, at(632)), 0.0);   // the last: written at 632
  EXPECT_EQ(history.lag_seconds(131, at(662)), 46.0);
}

TEST(OffsetHistory, BracketsAcrossSeveralSamples) {
  OffsetHistory history;
  history.record(0, at(0));
  history.record(16, at(32));                          // 0.5 msg/s
  history.record(16, at(64));                          // quiet
  history.record(272, at(96));                         // 8 msg/s
  EXPECT_EQ(history.lag_seconds(7, at(96)), 80.0);     // end reached 8 at 16 s
  EXPECT_EQ(history.lag_seconds(15, at(96)), 64.0);    // end reached 16 at 32 s
  EXPECT_EQ(history.lag_seconds(16, at(96)), 31.875);  // end reached 17 at 64.125 s
  EXPECT_EQ(history.lag_seconds(143, at(96)), 16.0);   // end reached 144 at 80 s
}

TEST(OffsetHistory, NeverExtrapolatesBeyondTheOldestSample) {
  OffsetHistory history;
  history.record(1000, at(0));
  EXPECT_EQ(history.lag_seconds(999, at(0)), std::nullopt);  // one sample, group behind
  EXPECT_EQ(history.lag_seconds(1000, at(0)), 0.0);          // one sample, caught up

  history.record(1064, at(32));
  EXPECT_EQ(history.lag_seconds(999, at(32)), std::nullopt);  // written before the oldest sample
  EXPECT_EQ(history.lag_seconds(0, at(32)), std::nullopt);
  EXPECT_EQ(history.lag_seconds(-1, at(32)), std::nullopt);
  EXPECT_EQ(history.lag_seconds(1000, at(32)), 31.5);  // the first message after it
}

TEST(OffsetHistory, SteadyConsumerHasAConstantLag) {
  // 128 messages every 32 s; the consumer stays five cycles (640 messages) behind.
  OffsetHistory history;
  for (std::int64_t cycle = 0; cycle <= 500; ++cycle) {
    const std::int64_t end = 128 * cycle;
    history.record(end, at(32 * cycle));
    if (cycle < 5) {
      EXPECT_EQ(history.lag_seconds(end - 640, at(32 * cycle)), std::nullopt);
      continue;
    }
    // Its first unread message is the first of the burst of five cycles ago.
    const auto lag = history.lag_seconds(end - 640, at(32 * cycle));
    ASSERT_TRUE(lag.has_value()) << "cycle " << cycle;
    ASSERT_DOUBLE_EQ(*lag, 5 * 32 - 0.25) << "cycle " << cycle;
  }
}

TEST(OffsetHistory, TruncationResetsTheHistory) {
  OffsetHistory history;
  EXPECT_TRUE(history.record(1000, at(0)));
  EXPECT_TRUE(history.record(1100, at(30)));
  EXPECT_EQ(history.previous_end_offset(), 1000);

  // The topic was deleted and re-created (or its log truncated): the end went backwards.
  EXPECT_FALSE(history.record(50, at(64)));
  EXPECT_EQ(history.previous_end_offset(), 1100);  // "high watermark went from 1100 to 50"
  ASSERT_EQ(history.points().size(), 1u);
  EXPECT_EQ(history.newest(), (OffsetHistory::Point{50, at(64)}));
  EXPECT_EQ(history.lag_seconds(40, at(64)), std::nullopt);  // nothing known before the reset
  EXPECT_EQ(history.lag_seconds(1050, at(64)), 0.0);         // an old committed offset past the end
  EXPECT_EQ(history.lag_seconds(50, at(64)), 0.0);

  // It learns again from there.
  EXPECT_TRUE(history.record(114, at(96)));
  EXPECT_EQ(history.lag_seconds(81, at(96)), 16.0);
  EXPECT_EQ(history.lag_seconds(49, at(96)), std::nullopt);
}

TEST(OffsetHistory, IgnoresStaleAndUnknownSamples) {
  OffsetHistory history;
  history.record(1000, at(60));
  EXPECT_TRUE(history.record(2000, at(60)));  // not newer
  EXPECT_TRUE(history.record(500, at(30)));   // older: not a truncation
  EXPECT_TRUE(history.record(-1, at(90)));    // Kafka's "unknown"
  ASSERT_EQ(history.points().size(), 1u);
  EXPECT_EQ(history.newest(), (OffsetHistory::Point{1000, at(60)}));
}

TEST(OffsetHistory, MaxPointsHasAFloor) {
  EXPECT_EQ(OffsetHistory(0).max_points(), OffsetHistory::min_max_points);
  EXPECT_EQ(OffsetHistory().max_points(), OffsetHistory::default_max_points);
}

TEST(OffsetHistory, BoundedMemoryOnASteadyStreamKeepsExactEstimates) {
  // 10,000 cycles of 128 messages per 32 s in 60 points: the history still reaches back to
  // the first sample and every estimate is within a millisecond of the exact one.
  constexpr std::int64_t cycles = 10'000;
  OffsetHistory history(60);
  for (std::int64_t cycle = 0; cycle < cycles; ++cycle) {
    history.record(128 * cycle, at(32 * cycle));
    ASSERT_LE(history.points().size(), 60u);
  }
  const std::int64_t last = cycles - 1;
  EXPECT_EQ(history.points().front(), (OffsetHistory::Point{0, at(0)}));
  EXPECT_EQ(history.points().back(), (OffsetHistory::Point{128 * last, at(32 * last)}));

  const TimePoint now = at(32 * last);
  for (std::int64_t behind : {1, 2, 5, 10, 100, 1000, 5000, 9998}) {
    // The first unread message of a group `behind` cycles back was written 0.25 s after
    // the cycle `behind` cycles ago.
    const double expected = 32.0 * static_cast<double>(behind) - 0.25;
    const auto lag = history.lag_seconds(128 * (last - behind), now);
    ASSERT_TRUE(lag.has_value()) << behind << " cycles behind";
    EXPECT_NEAR(*lag, expected, 1e-3) << behind << " cycles behind";
  }
}

// Rates that change at random (seeded, so the same every run) between silence and bursts.
std::vector<std::int64_t> bursty_end_offsets(std::size_t cycles) {
  std::mt19937 random(20240611);
  const std::int64_t rates[] = {0, 0, 1, 10, 100, 1000};
  std::vector<std::int64_t> ends;
  std::int64_t end = 0;
  std::int64_t rate = 0;
  std::uint32_t remaining = 0;
  while (ends.size() < cycles) {
    if (remaining == 0) {
      rate = rates[random() % 6];
      remaining = 1 + random() % 60;
    }
    --remaining;
    end += rate == 0 ? 0 : rate + static_cast<std::int64_t>(random() % static_cast<std::uint32_t>(rate));
    ends.push_back(end);
  }
  return ends;
}

TEST(OffsetHistory, BoundedMemoryOnABurstyStreamStaysCloseToTheFullHistory) {
  // The same 83 hours of stream recorded in 60 points and in all 10,000. For every offset
  // the full history can date, the bounded one dates it within 5 % of its age (or 2 s)
  // when it is less than an hour old, and within 15 % when older: recent lag is what
  // pages someone, and a lag of days only needs its order of magnitude.
  constexpr std::size_t cycles = 10'000;
  const auto ends = bursty_end_offsets(cycles);
  OffsetHistory bounded(60);
  OffsetHistory full(cycles);
  for (std::size_t cycle = 0; cycle < cycles; ++cycle) {
    const TimePoint time = at(30 * static_cast<std::int64_t>(cycle));
    bounded.record(ends[cycle], time);
    full.record(ends[cycle], time);
    ASSERT_LE(bounded.points().size(), 60u);
  }
  const TimePoint now = at(30 * static_cast<std::int64_t>(cycles - 1));
  int recent = 0;
  int old = 0;
  const auto compare = [&](std::int64_t committed) {
    const auto truth = full.lag_seconds(committed, now);
    if (!truth) return;
    const auto estimate = bounded.lag_seconds(committed, now);
    ASSERT_TRUE(estimate.has_value()) << "committed " << committed;
    const double tolerance = *truth < 3600 ? std::max(2.0, 0.05 * *truth) : 0.15 * *truth;
    ASSERT_NEAR(*estimate, *truth, tolerance) << "committed " << committed;
    ++(*truth < 3600 ? recent : old);
  };
  // About 5,000 offsets over the whole stream, and 2,000 more over its last hour.
  const auto sweep = [&](std::int64_t from, std::int64_t to, std::int64_t count) {
    for (std::int64_t committed = from; committed < to; committed += std::max<std::int64_t>(1, (to - from) / count)) {
      compare(committed);
    }
  };
  sweep(ends.front(), ends.back(), 5000);
  sweep(ends[cycles - 1 - 120], ends.back(), 2000);
  EXPECT_GT(recent, 500);
  EXPECT_GT(old, 1000);
}

TEST(OffsetHistory, BoundedMemoryKeepsTheEdgesOfRareMessages) {
  // One message every 20 minutes, read every 30 s: every sample is the edge of a quiet
  // spell. The newest gaps stay exact, so a group one or two messages behind is exact.
  OffsetHistory history(60);
  std::int64_t end = 0;
  constexpr std::int64_t reads = 10'000;
  for (std::int64_t t = 0; t < reads * 30; t += 30) {
    if (t % 1200 == 450) ++end;  // written between two reads
    history.record(end, at(t));
    ASSERT_LE(history.points().size(), 60u);
  }
  const std::int64_t now = reads * 30 - 30;
  // The last message was written between the reads at 299,220 and 299,250 s, the one
  // before it 1200 s earlier; each is taken as written at the first read that showed it.
  EXPECT_EQ(history.lag_seconds(end - 1, at(now)), now - 299'250.0);
  EXPECT_EQ(history.lag_seconds(end - 2, at(now)), now - 298'050.0);
}

}  // namespace
}  // namespace msgwatch::kafka
