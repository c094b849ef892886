/// A fixed weather table: the demo answers offline and deterministically.
enum WeatherTable {
    struct Report: Codable, Sendable, Hashable {
        var city: String
        var temperatureC: Double
        var condition: String
        var humidityPercent: Int
    }

    static let reports: [Report] = [
        Report(city: "Berlin", temperatureC: 18, condition: "cloudy", humidityPercent: 65),
        Report(city: "London", temperatureC: 15, condition: "light rain", humidityPercent: 80),
        Report(city: "New York", temperatureC: 24, condition: "sunny", humidityPercent: 55),
        Report(city: "Paris", temperatureC: 21, condition: "partly cloudy", humidityPercent: 60),
        Report(city: "San Francisco", temperatureC: 17, condition: "fog", humidityPercent: 85),
        Report(city: "Tokyo", temperatureC: 27, condition: "humid and sunny", humidityPercent: 70),
    ]

    struct UnknownCity: Error, CustomStringConvertible {
        let city: String
        var description: String {
            "no weather for `\(city)`; known cities: \(WeatherTable.reports.map(\.city).joined(separator: ", "))"
        }
    }

    static func report(for city: String) throws -> Report {
        let wanted = city.split(whereSeparator: \.isWhitespace).joined(separator: " ").lowercased()
        guard let report = reports.first(where: { $0.city.lowercased() == wanted }) else { throw UnknownCity(city: city) }
        return report
    }
}
