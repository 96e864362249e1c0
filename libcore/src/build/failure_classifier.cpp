// SPDX-License-Identifier: MIT
#include "build/failure_classifier.h"

#include <algorithm>
#include <csignal>
#include <fstream>
#include <regex>

namespace lfsw {

namespace {

struct Rule {
    const char* condition;
    const char* failureClass;
    const char* summary;
    std::regex pattern;
};

const std::vector<Rule>& rules()
{
    static const auto flags = std::regex::ECMAScript | std::regex::optimize;
    static const std::vector<Rule> list = {
        {"resource_exhaustion", "disk", "out of disk space (ENOSPC)",
         std::regex(R"(No space left on device|ENOSPC|Disk quota exceeded)", flags)},
        {"resource_exhaustion", "memory", "out of memory",
         std::regex(
             R"(virtual memory exhausted|out of memory allocating|Cannot allocate memory|)"
             R"(std::bad_alloc|MemoryError|^Out of memory!|fatal error: Killed signal terminated program)",
             flags)},
        {"build_failure", "fetch_error", "a download or network access failed",
         std::regex(
             R"(Could not resolve host|unable to resolve host address|)"
             R"(Temporary failure in name resolution|Connection refused|Connection timed out|)"
             R"(Failed to connect to|ERROR 404: Not Found|HTTP request sent, awaiting response\.\.\. [45][0-9][0-9]|)"
             R"(curl: \([0-9]+\)|Network is unreachable|fatal: unable to access)",
             flags)},
        {"build_failure", "missing_dependency", "a host tool, header or library is missing",
         std::regex(R"(: command not found|: not found$|)"
                    R"(fatal error: [^:]+\.h: No such file or directory|)"
                    R"(configure: error: .*(not found|no acceptable|required|missing|cannot find)|)"
                    R"(No package '[^']+' found|Package .* was not found|)"
                    R"(error: Can't locate .* in @INC|ModuleNotFoundError|)"
                    R"(No rule to make target '[^']+', needed by)",
                    flags)},
        {"build_failure", "link_error", "linking failed",
         std::regex(R"(undefined reference to|ld(\.bfd|\.gold)?: cannot find|)"
                    R"(collect2: error: ld returned|multiple definition of|relocation .* against)",
                    flags)},
        {"build_failure", "test_failure", "the test suite failed",
         std::regex(R"(^# (FAIL|ERROR): +[1-9]|^FAIL: |^# of unexpected failures|)"
                    R"(^[0-9]+ of [0-9]+ tests? failed|Testsuite summary.*|^FAILED \(|)"
                    R"(make(\[[0-9]+\])?: \*\*\* \[[^]]*(check|test)[^]]*\] Error|)"
                    R"(^Failed [0-9]+/[0-9]+ test programs|tests? failed)",
                    flags)},
        {"build_failure", "compile_error", "compilation failed",
         std::regex(R"(^[^:\s]+:[0-9]+:([0-9]+:)? (fatal )?error: |error: expected|)"
                    R"(^[^:\s]+\.(c|cc|cpp|h|S|s):[0-9]+: Error:|compilation terminated|)"
                    R"(^make(\[[0-9]+\])?: \*\*\* .*Error [0-9]+)",
                    flags)},
    };
    return list;
}

bool oomInKernelLog(const std::vector<std::string>& kernelLines)
{
    static const std::regex oom(R"(Out of memory|oom-kill:|Killed process [0-9]+|oom_reaper)");
    for (const auto& line : kernelLines)
        if (std::regex_search(line, oom))
            return true;
    return false;
}

// The lines of a step's log; huge logs are read from their last few MiB, with
// line numbers still counted from the start of the file.
std::vector<std::string> readLogTail(const std::filesystem::path& file, int& firstLineNumber)
{
    constexpr std::streamoff kTailBytes = 4 << 20;
    std::ifstream in(file, std::ios::binary);
    std::vector<std::string> lines;
    firstLineNumber = 1;
    if (!in)
        return lines;
    in.seekg(0, std::ios::end);
    const std::streamoff size = in.tellg();
    in.seekg(0);
    if (size > kTailBytes) {
        std::vector<char> buffer(1 << 20);
        std::streamoff left = size - kTailBytes;
        while (left > 0) {
            in.read(buffer.data(),
                    std::min<std::streamoff>(left, static_cast<std::streamoff>(buffer.size())));
            const auto got = in.gcount();
            firstLineNumber +=
                static_cast<int>(std::count(buffer.data(), buffer.data() + got, '\n'));
            left -= got;
            if (got == 0)
                break;
        }
        std::string partial;
        std::getline(in, partial); // the rest of a line cut in two
        ++firstLineNumber;
    }
    for (std::string line; std::getline(in, line);)
        lines.push_back(line);
    return lines;
}

// The lines matching `rule`, with their numbers; at most `limit`.
std::vector<EvidenceLine> matches(const Rule& rule, const std::vector<std::string>& log,
                                  std::size_t limit)
{
    std::vector<EvidenceLine> found;
    for (std::size_t i = 0; i < log.size() && found.size() < limit; ++i)
        if (std::regex_search(log[i], rule.pattern))
            found.push_back({static_cast<int>(i + 1), log[i]});
    return found;
}

} // namespace

Classification FailureClassifier::classify(const StepEnding& ending,
                                           const std::vector<std::string>& log)
{
    constexpr std::size_t kEvidenceLines = 5;
    if (ending.timedOut)
        return {"build_failure", "timeout", "the step ran past its timeout", {}};

    // The step's own cgroup counting an OOM kill is evidence enough, however
    // the step then ended (make exits 2 when cc1 is killed); the kernel log
    // names a victim that may not be the step's, so it counts only when the
    // step itself was SIGKILLed.
    if (!ending.cgroupOomKill.empty() ||
        (ending.signal == SIGKILL && oomInKernelLog(ending.kernelLines))) {
        Classification oom{"resource_exhaustion", "memory", "killed by the OOM killer", {}};
        // The step's own counter first: it is specific to the step.
        if (!ending.cgroupOomKill.empty())
            oom.evidence.push_back({0, "cgroup " + ending.cgroupOomKill});
        for (const auto& line : ending.kernelLines)
            oom.evidence.push_back({0, "kernel: " + line});
        return oom;
    }

    for (const auto& rule : rules()) {
        auto found = matches(rule, log, kEvidenceLines);
        if (!found.empty())
            return {rule.condition, rule.failureClass, rule.summary, std::move(found)};
    }
    if (ending.signal != 0)
        return {"build_failure", "killed", "no sign of the OOM killer", {}};
    // The exit status is said beside this already (CommandOutcome::summary).
    return {"build_failure", "unknown", "no recognised error in its log", {}};
}

Classification FailureClassifier::classifyLog(const StepEnding& ending,
                                              const std::filesystem::path& log)
{
    int firstLine = 1;
    const auto lines = readLogTail(log, firstLine);
    auto classification = classify(ending, lines);
    for (auto& evidence : classification.evidence)
        if (evidence.line > 0)
            evidence.line += firstLine - 1;
    return classification;
}

} // namespace lfsw
