#pragma once

#include <cstdint>
#include <optional>
#include <span>

namespace msgwatch::kafka::protocol {

// Timestamps out of the record set of a Fetch response partition, without decompressing it: the
// lag probe fetches from a consumer group's committed offset and needs the time of the oldest
// message the group has not consumed yet.
//
// The record set is a sequence of record batches (the "Record Batch" section of the Kafka
// documentation, DefaultRecordBatch.java): a 61-byte header of baseOffset int64, batchLength
// int32 (the bytes after it), partitionLeaderEpoch int32, magic int8 (2), crc uint32,
// attributes int16, lastOffsetDelta int32, baseTimestamp int64, maxTimestamp int64, producerId
// int64, producerEpoch int16, baseSequence int32 and recordCount int32, then the records,
// compressed as a whole when attribute bits 0-2 say so. Each record is a varint length, then
// attributes int8, timestampDelta varlong, offsetDelta varint, key, value and headers; only
// the first three are read, the rest is skipped by the length.

enum class TimestampType : std::uint8_t { create_time, log_append_time };

struct RecordTimestamp {
  // Offset of the record found: at least the one asked for, since earlier ones may have been
  // compacted away. Inside a compressed batch, or past the bytes a cut-off batch holds, it is
  // the offset asked for or the batch's base offset, whichever is later (compaction may have
  // removed the records there too, leaving the record actually found in a later batch).
  std::int64_t offset = 0;
  // Absent: the record carries no timestamp (-1), or none can be told without decompressing.
  std::optional<std::int64_t> timestamp_ms;
  TimestampType type = TimestampType::create_time;
  // False: the record lies inside a compressed batch, or past the bytes a cut-off batch holds;
  // timestamp_ms is then the batch's first timestamp (baseTimestamp), which is at most the
  // batch's span (max - first timestamp) earlier than the record's, or absent where the batch
  // has no first timestamp to give (see below).
  bool exact = true;
  bool operator==(const RecordTimestamp&) const = default;
};

// Searches a Fetch response partition's record set for the first data record whose offset is
// at least `offset`. The last batch may be cut off by the broker's size limits; what it holds
// is used as far as it goes.
//
// Returns std::nullopt when the bytes hold no such record: an empty set, only earlier records
// or control batches (transaction markers, attribute bit 5, which are not messages), empty
// batches (all records compacted away), or a cut-off before the header of the batch that would
// hold it.
//
// Rules by batch kind:
//  - LogAppendTime (attribute bit 3): every record's time is the batch's maxTimestamp, so the
//    result is exact; the offset is the record's where the bytes hold it uncompressed,
//    otherwise max(offset, baseOffset).
//  - CreateTime, uncompressed: the records are walked; the time is baseTimestamp plus the
//    record's timestampDelta.
//  - CreateTime, compressed: at or before baseOffset the first record's time, baseTimestamp, is
//    exact (reported at baseOffset, although compaction may have removed the first records and
//    kept baseOffset); past it baseTimestamp is returned with exact = false.
//  - A batch with a delete horizon (attribute bit 6, set by log compaction) holds the horizon in
//    baseTimestamp: record times from deltas stay exact, but where baseTimestamp itself would
//    be returned, timestamp_ms is absent and exact false instead.
//  - Old message formats (magic 0 and 1) are located by offset but not decoded: a result with
//    timestamp_ms absent and exact = false (the record's own offset if the message is
//    uncompressed, else the offset asked for).
//
// The CRC is not verified. Throws DecodeError on malformed bytes: an unknown magic or
// compression codec, a batch length below its format's header size, a negative record count
// or lastOffsetDelta, a record whose offset lies outside its batch's range (compaction keeps
// that range), a complete uncompressed batch whose record count cannot fit in it or
// whose records overrun it (or, walked to the end, do not fill it exactly), bad varints,
// negative record lengths, offsets or timestamps that overflow int64. Never reads out of bounds
// and allocates nothing sized by the input.
//
// `searched_to`, when given, is raised to the offset after the last complete batch examined:
// when nothing is found and it reaches the partition's high watermark, no message lies
// between `offset` and the end (only transaction markers, or records compacted away).
std::optional<RecordTimestamp> find_record_timestamp(std::span<const std::uint8_t> record_set, std::int64_t offset,
                                                     std::int64_t* searched_to = nullptr);

}  // namespace msgwatch::kafka::protocol
