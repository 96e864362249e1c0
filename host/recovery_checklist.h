// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace lfsw::host {

class Session;

// The seed's Pre- and Post-Recovery Checklists as real checks and actions.
// Pre: assess the system (health check), back up critical data (backup
// create --critical-only), document the current failure (an open incident),
// notify (an alert), prepare the environment (recovery init). Post: verify
// the system (verify system --all) and the build (verify build --thorough),
// run the user's recovery.checks, write the incident report, review the
// monitoring data of the incident, and list the chains that failed or ran
// out of attempts (the procedures to update). The commands run as
// subprocesses of this same binary, as a user would type them.
class RecoveryChecklist
{
public:
    enum class Status { Done, Failed, Skipped };

    struct Item {
        std::string id;    // health, backup, incident, notify, init, verify_system, ...
        std::string title; // the seed's words: "assess system state"
        Status status = Status::Skipped;
        std::string message; // what it did, or why it could not run
        bool required = false;
    };

    RecoveryChecklist(Session& session, std::string phase, std::int64_t incidentId = 0);

    // Runs every item of the phase, printing each line as it ends (unless
    // `json`); the items.
    const std::vector<Item>& run(std::ostream& out, bool json);
    // No item failed, and every required item ran.
    bool passed() const;
    nlohmann::json json() const;

    // The item ids of each phase, for recovery.required.
    static const std::vector<std::string>& itemIds();

private:
    void add(Item item, std::ostream& out, bool print);
    // Runs `lfs-wrapper ARGS` (this binary, with this session's --config and
    // --state-dir); its output lines and its exit status.
    int self(const std::string& arguments, std::vector<std::string>& output);

    Item health();
    Item backup();
    Item incident();
    Item notify();
    Item init();
    Item verifySystem();
    Item verifyBuild();
    std::vector<Item> checks();
    Item report();
    Item monitoring();
    Item procedures();

    Session& session_;
    std::string phase_;
    std::int64_t incidentId_;
    std::vector<Item> items_;
};

} // namespace lfsw::host
