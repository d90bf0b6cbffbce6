#include "probes/kafka/lag/offset_history.hpp"

#include <algorithm>
#include <cmath>
#include <iterator>
#include <limits>

namespace msgwatch::kafka {
namespace {

using Point = OffsetHistory::Point;

// Below this a sample adds nothing worth its memory: the lag is exported in seconds, and
// probe cycles are tens of seconds apart.
constexpr double negligible_seconds = 1e-3;

double seconds_between(OffsetHistory::TimePoint from, OffsetHistory::TimePoint to) {
  return std::chrono::duration<double>(to - from).count();
}

// How far, in seconds, `b` lies from the line between its neighbours: the most any lookup
// near b would change if b were dropped.
double deviation(const Point& a, const Point& b, const Point& c) {
  const auto offsets = static_cast<double>(c.end_offset - a.end_offset);
  if (offsets == 0) return 0.0;  // inside a run of equal offsets: a and c say all that b says
  const double along = static_cast<double>(b.end_offset - a.end_offset) / offsets;
  return std::abs(seconds_between(a.time, b.time) - along * seconds_between(a.time, c.time));
}

}  // namespace

OffsetHistory::OffsetHistory(std::size_t max_points) : max_points_(std::max(max_points, min_max_points)) {}

bool OffsetHistory::record(std::int64_t end_offset, TimePoint time) {
  if (end_offset < 0) return true;
  if (points_.empty()) {
    points_.reserve(max_points_ + 1);
    points_.push_back({end_offset, time});
    return true;
  }
  Point& newest = points_.back();
  if (time <= newest.time) return true;
  previous_end_offset_ = newest.end_offset;

  if (end_offset < newest.end_offset) {
    // What the old samples say about offsets no longer holds for the new log.
    points_.clear();
    points_.push_back({end_offset, time});
    return false;
  }
  // A run of equal offsets needs only its first sample (when the last write before the
  // quiet spell was seen) and its last (the latest time the next write had not happened).
  if (end_offset == newest.end_offset && points_.size() >= 2 && points_[points_.size() - 2].end_offset == end_offset) {
    newest.time = time;
    return true;
  }
  points_.push_back({end_offset, time});
  if (points_.size() > max_points_) drop_least_informative_point();
  return true;
}

void OffsetHistory::drop_least_informative_point() {
  // Errors are weighed against the age of the sample, because that is about the lag a group
  // near it has: ten seconds matter on a lag of one minute, not on a lag of three hours.
  // Among samples that cost nothing (a steady stream), the one closest to its neighbours
  // for its age goes, which spaces the history evenly on a logarithmic time scale.
  const TimePoint newest = points_.back().time;
  std::size_t victim = 1;
  double victim_cost = std::numeric_limits<double>::infinity();
  double victim_spacing = std::numeric_limits<double>::infinity();
  for (std::size_t i = 1; i + 1 < points_.size(); ++i) {
    const double age = seconds_between(points_[i].time, newest);
    const double error = deviation(points_[i - 1], points_[i], points_[i + 1]);
    const double cost = error <= negligible_seconds ? 0.0 : error / age;
    const double spacing = seconds_between(points_[i - 1].time, points_[i + 1].time) / age;
    if (cost < victim_cost || (cost == victim_cost && spacing < victim_spacing)) {
      victim = i;
      victim_cost = cost;
      victim_spacing = spacing;
    }
  }
  points_.erase(points_.begin() + static_cast<std::ptrdiff_t>(victim));
}

std::optional<double> OffsetHistory::lag_seconds(std::int64_t committed_offset, TimePoint now) const {
  if (points_.empty()) return std::nullopt;
  if (committed_offset >= points_.back().end_offset) return 0.0;

  // The end offset becomes committed+1 when the first unread message is written. The
  // addition cannot overflow: committed_offset is below an end offset.
  const std::int64_t unread_end = committed_offset + 1;
  const auto after =
      std::lower_bound(points_.begin(), points_.end(), unread_end,
                       [](const Point& point, std::int64_t offset) { return point.end_offset < offset; });
  // Written before the oldest sample: how long before, the history cannot say.
  if (after == points_.begin()) return std::nullopt;
  const auto before = std::prev(after);

  // Written `share` of the bracket's duration before its later sample.
  const double share =
      static_cast<double>(after->end_offset - unread_end) / static_cast<double>(after->end_offset - before->end_offset);
  const double lag = seconds_between(after->time, now) + share * seconds_between(before->time, after->time);
  return std::max(lag, 0.0);
}

std::optional<OffsetHistory::Point> OffsetHistory::newest() const {
  if (points_.empty()) return std::nullopt;
  return points_.back();
}

}  // namespace msgwatch::kafka
