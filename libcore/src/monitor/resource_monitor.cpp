// SPDX-License-Identifier: MIT
#include "monitor/resource_monitor.h"

#include <cstdio>

#include <lfsw/units.h>

#include "base/time_text.h"
#include "config/config.h"
#include "state/state_database.h"

namespace lfsw {

namespace {

std::vector<ResourceSampler::Watched> watchedPaths(const Config& config,
                                                   const std::filesystem::path& stateDirectory)
{
    std::vector<ResourceSampler::Watched> paths{{config.buildRoot(), "build root"},
                                                {stateDirectory, "state directory"}};
    const auto repository = config.string("backup.repository");
    paths.push_back(
        {repository.empty() ? stateDirectory / "backups" : config.resolvePath(repository),
         "backup repository"});
    return paths;
}

std::string percentText(double value)
{
    char text[16];
    std::snprintf(text, sizeof text, "%.1f%%", value);
    return text;
}

std::string joined(const std::vector<std::string>& items)
{
    std::string text;
    for (const auto& item : items)
        text += (text.empty() ? "" : ", ") + item;
    return text;
}

} // namespace

ResourceMonitor::ResourceMonitor(const Config& config, std::filesystem::path stateDirectory)
    : sampler_(watchedPaths(config, stateDirectory), config.boolean("monitoring.resources.disk"),
               config.boolean("monitoring.resources.memory"),
               config.boolean("monitoring.resources.cpu")),
      diskThreshold_(*parsePercentage(config.string("monitoring.thresholds.disk_usage"))),
      memoryThreshold_(*parsePercentage(config.string("monitoring.thresholds.memory_usage"))),
      cpuThreshold_(*parsePercentage(config.string("monitoring.thresholds.cpu_load"))),
      samplesInARow_(static_cast<int>(config.integer("monitoring.for"))),
      clearMargin_(*parsePercentage(config.string("monitoring.clear_margin"))),
      retention_(std::chrono::duration_cast<std::chrono::seconds>(
          *parseDuration(config.string("monitoring.retention"))))
{
}

ThresholdWatch& ResourceMonitor::watch(const std::string& key, double threshold)
{
    auto found = watches_.find(key);
    if (found == watches_.end())
        found =
            watches_.emplace(key, ThresholdWatch(threshold, samplesInARow_, clearMargin_)).first;
    return found->second;
}

std::vector<Event> ResourceMonitor::tick()
{
    last_ = sampler_.sample();
    readings_.clear();
    std::vector<Event> events;
    auto feed = [&](ResourceReading reading, const std::string& failureClass) {
        auto& w = watch(reading.resource + ":" + reading.subject, reading.threshold);
        if (w.feed(reading.value) == ThresholdWatch::Change::Raised) {
            Event event;
            event.condition = "resource_exhaustion";
            event.failureClass = failureClass;
            event.raisedAt = last_.takenAt;
            event.evidence["resource"] = reading.resource;
            if (!reading.subject.empty())
                event.evidence["filesystem"] = reading.subject;
            event.evidence["value"] = percentText(reading.value);
            event.evidence["threshold"] = percentText(reading.threshold);
            event.evidence["summary"] = reading.resource + " usage " + percentText(reading.value) +
                                        " is over its threshold of " +
                                        percentText(reading.threshold) + " (" + reading.detail +
                                        ")";
            events.push_back(std::move(event));
        }
        reading.raised = w.raised();
        readings_.push_back(std::move(reading));
    };
    for (const auto& disk : last_.disks)
        feed({"disk", disk.mountPoint,
              formatBytes(disk.availableBytes) + " free of " + formatBytes(disk.totalBytes) +
                  "; holds " + joined(disk.holds),
              disk.usedPercent, diskThreshold_, false},
             "disk");
    if (last_.memory)
        feed({"memory", "",
              formatBytes(last_.memory->availableBytes) + " available of " +
                  formatBytes(last_.memory->totalBytes) + " (" + last_.memory->source + ")",
              last_.memory->usedPercent, memoryThreshold_, false},
             "memory");
    if (last_.cpuPercent)
        feed({"cpu", "", "busy share of all CPUs", *last_.cpuPercent, cpuThreshold_, false}, "cpu");
    return events;
}

void ResourceMonitor::record(StateDatabase& database)
{
    const auto takenAt = isoUtc(last_.takenAt);
    database.transaction([&] {
        for (const auto& reading : readings_) {
            auto statement = database.prepare(
                "INSERT INTO resource_sample (taken_at, resource, subject, value, threshold)"
                " VALUES (?, ?, ?, ?, ?)");
            statement.bind(1, takenAt)
                .bind(2, reading.resource)
                .bind(3, reading.subject)
                .bind(4, reading.value)
                .bind(5, reading.threshold)
                .run();
        }
        for (const auto& [name, value] : last_.pressure)
            database
                .prepare("INSERT INTO resource_sample (taken_at, resource, subject, value)"
                         " VALUES (?, 'pressure', ?, ?)")
                .bind(1, takenAt)
                .bind(2, name)
                .bind(3, value)
                .run();
        // Retention: once a minute at the default interval.
        if (recorded_++ % 60 == 0)
            database.prepare("DELETE FROM resource_sample WHERE taken_at < ?")
                .bind(1, isoUtc(last_.takenAt - retention_))
                .run();
    });
}

bool ResourceMonitor::anyOverThreshold() const
{
    for (const auto& reading : readings_)
        if (reading.value >= reading.threshold)
            return true;
    return false;
}

} // namespace lfsw
