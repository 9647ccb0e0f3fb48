import Foundation
import Testing

/// thehive4py 2.1.0, the client SOC scripts use to talk to TheHive, against the real
/// `taser serve`: create an alert and get it back, find and count with filters, update tags,
/// severity and status, add observables, create a case, promote an alert to a case.
///
/// The client runs in a virtualenv the test makes once and keeps under the build folder
/// (`.build/.../debug/thehive4py-2.1.0.venv`), so reruns do not reinstall it. Without PyPI the
/// test fails and says so: it does not pass without having run the client.
@Suite struct TheHive4pyTests {
    static let version = "2.1.0"
    static let lock = NSLock()

    /// The venv's python with thehive4py installed, made on first use.
    static func python() throws -> String {
        lock.lock()
        defer { lock.unlock() }
        let build = URL(fileURLWithPath: taserBinary).deletingLastPathComponent()
        let venv = build.appendingPathComponent("thehive4py-\(version).venv").path
        let python = venv + "/bin/python"
        let check = "import importlib.metadata as m; assert m.version('thehive4py') == '\(version)'"
        if FileManager.default.fileExists(atPath: python), (try? run(python, ["-c", check]))?.status == 0 { return python }
        try? FileManager.default.removeItem(atPath: venv)
        let made = try run("/usr/bin/env", ["python3", "-m", "venv", venv])
        try #require(made.status == 0, "python3 -m venv failed (is python3-venv installed?): \(made.output)")
        let pip = try run(python, ["-m", "pip", "install", "--disable-pip-version-check", "--timeout", "60", "thehive4py==\(version)"], timeout: 600)
        guard pip.status == 0 else {
            try? FileManager.default.removeItem(atPath: venv)
            Issue.record("cannot install thehive4py \(version) from PyPI into \(venv), so the client test cannot run: \(pip.output.suffix(1500))")
            throw Failure(description: "pip install thehive4py==\(version) failed")
        }
        try #require(try run(python, ["-c", check]).status == 0, "thehive4py \(version) is not importable in \(venv)")
        return python
    }

    struct Failure: Error, CustomStringConvertible { var description: String }

    /// Runs a command to its end (at most `timeout` seconds), stdout and stderr together.
    static func run(_ path: String, _ arguments: [String], timeout: Double = 300) throws -> (status: Int32, output: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: path)
        p.arguments = arguments
        let out = Pipe()
        p.standardOutput = out
        p.standardError = out
        p.standardInput = FileHandle.nullDevice
        try p.run()
        let killer = DispatchWorkItem { if p.isRunning { p.terminate() } }
        DispatchQueue.global().asyncAfter(deadline: .now() + timeout, execute: killer)
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        killer.cancel()
        return (p.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// The client's side: every call thehive4py makes, and what it got, as one JSON object.
    static let script = #"""
        import json, sys
        from thehive4py import TheHiveApi
        from thehive4py.errors import TheHiveError
        from thehive4py.query.filters import Eq, In, Like, Gte
        from thehive4py.query.sort import Asc, Desc
        from thehive4py.query.page import Paginate

        url, key = sys.argv[1], sys.argv[2]
        hive = TheHiveApi(url=url, apikey=key, max_retries=0)
        out = {}

        def alert(ref, title, severity, tags):
            return hive.alert.create({
                "type": "external", "source": "siem", "sourceRef": ref, "title": title, "description": "seen by the SIEM",
                "severity": severity, "tags": tags, "observables": [{"dataType": "ip", "data": "185.220.101.4"}]})

        a = alert("py-1", "Impossible travel for jdoe", 2, ["travel"])
        b = alert("py-2", "Phishing reported", 3, ["phishing"])
        c = alert("py-3", "Noisy scanner", 1, ["noise"])
        out["ids"] = [a["_id"], b["_id"], c["_id"]]
        out["got"] = hive.alert.get(a["_id"])

        ids = lambda alerts: [x["_id"] for x in alerts]
        out["find_eq"] = ids(hive.alert.find(filters=Eq("severity", 3)))
        out["find_in"] = ids(hive.alert.find(filters=In("tags", ["travel", "noise"]), sortby=Asc("_id")))
        out["find_like"] = ids(hive.alert.find(filters=Like("title", "phish")))
        out["find_and"] = ids(hive.alert.find(filters=Gte("severity", 2) & Eq("source", "siem"), sortby=Asc("_id")))
        out["find_or"] = ids(hive.alert.find(filters=Eq("sourceRef", "py-1") | Eq("sourceRef", "py-3"), sortby=Asc("_id")))
        out["find_page"] = ids(hive.alert.find(sortby=Desc("severity"), paginate=Paginate(0, 2)))
        out["count_all"] = hive.alert.count()
        out["count_noise"] = hive.alert.count(filters=Eq("tags", "noise"))

        hive.alert.update(a["_id"], {"tags": ["travel", "vip"], "severity": 4})
        hive.alert.update(a["_id"], {"addTags": ["escalated"], "removeTags": ["travel"]})
        hive.alert.update(c["_id"], {"status": "FalsePositive"})
        hive.alert.update(b["_id"], {"status": "InProgress"})
        out["a_updated"] = hive.alert.get(a["_id"])
        out["b_updated"] = hive.alert.get(b["_id"])
        out["c_updated"] = hive.alert.get(c["_id"])

        out["observables"] = hive.alert.create_observable(a["_id"], {"dataType": "domain", "data": ["evil.example", "evil2.example"], "message": "proxy"})
        out["observable_count"] = hive.alert.get(a["_id"])["observableCount"]

        out["case"] = hive.case.create({"title": "Phishing wave", "description": "Three reports", "severity": 3, "tags": ["phishing"]})
        out["promoted"] = hive.alert.promote_to_case(b["_id"])
        out["b_promoted"] = hive.alert.get(b["_id"])

        def refused(call):
            try:
                call()
                return None
            except TheHiveError as e:
                return {"status": e.response.status_code if e.response is not None else None, "message": e.message}
        out["refused_status"] = refused(lambda: hive.alert.update(b["_id"], {"status": "New"}))
        out["refused_missing"] = refused(lambda: hive.alert.get("~999999"))
        out["refused_cases"] = refused(lambda: hive.case.find())
        out["refused_delete"] = refused(lambda: hive.alert.delete(a["_id"]))
        print(json.dumps(out))
        """#

    @Test func thehive4pyDrivesTaserServe() throws {
        let python = try Self.python()
        let scratch = Scratch()
        let (server, db) = try TheHiveAPITests.start(scratch)
        let script = try scratch.write("client.py", Self.script)
        let ran = try Self.run(python, [script, "http://127.0.0.1:\(server.port)", TheHiveAPITests.hiveKey], timeout: 120)
        try #require(ran.status == 0, "the thehive4py script failed: \(ran.output.suffix(3000))\nserve's log: \(server.log.suffix(2000))")
        let line = try #require(ran.output.split(separator: "\n").last)
        let out = try #require((try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any], "not JSON: \(line.prefix(500))")
        let ids = try #require(out["ids"] as? [String])
        try #require(ids.count == 3)

        let got = out["got"] as? [String: Any] ?? [:]
        #expect(got["_id"] as? String == ids[0] && got["title"] as? String == "Impossible travel for jdoe" && got["sourceRef"] as? String == "py-1")
        #expect(got["severity"] as? Int == 2 && got["tags"] as? [String] == ["travel"] && got["status"] as? String == "New")

        #expect(out["find_eq"] as? [String] == [ids[1]])
        #expect(out["find_in"] as? [String] == [ids[0], ids[2]])
        #expect(out["find_like"] as? [String] == [ids[1]])
        #expect(out["find_and"] as? [String] == [ids[0], ids[1]])
        #expect(out["find_or"] as? [String] == [ids[0], ids[2]])
        #expect(out["find_page"] as? [String] == [ids[1], ids[0]])
        #expect(out["count_all"] as? Int == 3 && out["count_noise"] as? Int == 1)

        let a = out["a_updated"] as? [String: Any] ?? [:]
        #expect(a["tags"] as? [String] == ["vip", "escalated"] && a["severity"] as? Int == 4 && a["severityLabel"] as? String == "CRITICAL")
        #expect((out["b_updated"] as? [String: Any])?["status"] as? String == "InProgress")
        #expect((out["c_updated"] as? [String: Any])?["stage"] as? String == "Closed")
        #expect((out["observables"] as? [[String: Any]])?.compactMap { $0["data"] as? String } == ["evil.example", "evil2.example"])
        #expect(out["observable_count"] as? Int == 3)

        #expect((out["case"] as? [String: Any])?["title"] as? String == "Phishing wave")
        let promoted = out["promoted"] as? [String: Any] ?? [:]
        #expect(promoted["_type"] as? String == "Case" && promoted["title"] as? String == "Phishing reported")
        let bPromoted = out["b_promoted"] as? [String: Any] ?? [:]
        #expect(bPromoted["status"] as? String == "Imported" && bPromoted["caseId"] as? String == promoted["_id"] as? String)

        // TheHive's error shape reaches the client as TheHiveError "Type - message".
        let refusedStatus = out["refused_status"] as? [String: Any] ?? [:]
        #expect(refusedStatus["status"] as? Int == 400 && (refusedStatus["message"] as? String ?? "").hasPrefix("BadRequest - "))
        #expect((out["refused_missing"] as? [String: Any])?["status"] as? Int == 404)
        let cases = out["refused_cases"] as? [String: Any] ?? [:]
        #expect(cases["status"] as? Int == 400 && (cases["message"] as? String ?? "").contains("listAlert"))
        #expect((out["refused_delete"] as? [String: Any])?["status"] as? Int == 404)
        #expect(server.stop() == 0)

        // On taser's side: the same alerts, changed by the TheHive key, with their log.
        let alerts = jsonLines(try taser(["--db", db, "alert", "list", "--json"]).stdout)
        #expect(Set(alerts.map { "~\($0["id"] as? Int ?? 0)" }) == Set(ids))
    }
}
