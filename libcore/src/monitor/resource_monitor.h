// SPDX-License-Identifier: MIT
#pragma once

#include <map>
#include <string>
#include <vector>

#include <lfsw/event.h>

#include "monitor/resource_sampler.h"
#include "monitor/threshold_watch.h"

namespace lfsw {

class Config;
class StateDatabase;

// One resource against its threshold, as `monitor resources` prints it.
struct ResourceReading {
    std::string resource; // disk, memory, cpu
    std::string subject;  // the mount point for disk, else empty
    std::string detail;   // "12.1 GiB free of 50 GiB; holds build root"
    double value = 0;     // percent
    double threshold = 0; // percent
    bool raised = false;  // over its threshold (with `for` and the clear margin)
};

// The monitor of `monitoring.*`: samples with a ResourceSampler, keeps a
// ThresholdWatch per resource (per filesystem for disk), records samples in
// the state database with their retention, and turns a watch being raised
// into a resource_exhaustion event with the resource, value and threshold as
// evidence.
class ResourceMonitor
{
public:
    ResourceMonitor(const Config& config, std::filesystem::path stateDirectory);

    // The build's cgroup, when it runs in one.
    void setCgroup(std::filesystem::path directory) { sampler_.setCgroup(std::move(directory)); }
    void prime() { sampler_.prime(); }

    // Takes a sample, feeds the watches, and returns the events raised by it.
    std::vector<Event> tick();
    // Records the last sample (and drops samples past their retention now
    // and then).
    void record(StateDatabase& database);

    const ResourceSample& lastSample() const { return last_; }
    const std::vector<ResourceReading>& readings() const { return readings_; }
    // Whether any reading of the last sample is at or over its threshold.
    bool anyOverThreshold() const;
    // Whether an event of tick() is a resource running out (disk, memory),
    // which a recovery chain may act on; CPU load over its threshold is not:
    // it is alerted on, and never starts a chain.
    static bool exhausts(const Event& event) { return event.failureClass != "cpu"; }

private:
    ThresholdWatch& watch(const std::string& key, double threshold);

    ResourceSampler sampler_;
    double diskThreshold_;
    double memoryThreshold_;
    double cpuThreshold_;
    int samplesInARow_;
    double clearMargin_;
    std::chrono::seconds retention_;
    std::map<std::string, ThresholdWatch> watches_;
    ResourceSample last_;
    std::vector<ResourceReading> readings_;
    int recorded_ = 0;
};

} // namespace lfsw
