// An agent author imports AgentKit and nothing else: the ABI types the entry
// function needs and the wire types come along.
@_exported import AgentWire
@_exported import CAgentABI
