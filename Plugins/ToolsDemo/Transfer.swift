import AgentKit

/// The human-in-the-loop half of the demo: `transfer` moves (pretend) money and
/// needs a person's approval above `approvalThreshold`; `getLocation` runs in
/// the browser (a client-side tool), which answers with the page's location.

struct TransferInput: Codable, Sendable {
    /// The amount in euros.
    let amount: Double
    /// Who receives it; "savings" when left out.
    let to: String?
}

struct TransferReceipt: Codable, Sendable, Hashable {
    var transferred: Double
    var to: String
    var reference: String
}

/// Transfers above this many euros wait for an approval; smaller ones run at once.
let approvalThreshold = 100.0

let transfer = Tool(
    name: "transfer",
    description: "Transfers an amount of euros to a recipient. Amounts above 100 need the user's approval.",
    inputSchema: [
        "type": "object",
        "properties": [
            "amount": ["type": "number", "description": "Euros to transfer, e.g. 250"],
            "to": ["type": "string", "description": "The recipient, e.g. \"Alice\""],
        ],
        "required": ["amount"],
        "additionalProperties": false,
    ],
    needsApproval: .when { (input: TransferInput) in input.amount > approvalThreshold }
) { (input: TransferInput) in
    // Deterministic so a demo and a test see the same receipt.
    let to = input.to ?? "savings"
    return TransferReceipt(transferred: input.amount, to: to, reference: "tx-\(to.lowercased())-\(Int(input.amount))")
}

let getLocation = Tool(
    name: "getLocation",
    description: "The user's current location (city and coordinates), read by their browser.",
    inputSchema: ["type": "object", "properties": [:], "additionalProperties": false]
)
