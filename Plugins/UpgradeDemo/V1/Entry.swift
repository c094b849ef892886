import AgentKit
import UpgradeDemoCore

/// Build 1 of `upgrade-demo`: saves its turn count as `{"count": n}`.
#agentPlugin(version: "1", agents: [makeUpgradeDemo(version: "1")])
