import AgentKit
import UpgradeDemoCore

/// Build 2 of `upgrade-demo`: saves `{"visits": n}` and migrates build 1's `count`.
#agentPlugin(version: "2", agents: [makeUpgradeDemo(version: "2")])
