import AgentKit
import UpgradeDemoCore

/// Build 1 of `upgrade-demo` with the drain policy: its running turns finish on it.
#agentPlugin(version: "1", agents: [makeUpgradeDemo(version: "1", upgrade: .drain)])
