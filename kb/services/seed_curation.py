"""Validation of the curated seed files: collections and the events that presented them
(part of kb.services.seed_schema's validator)."""

from __future__ import annotations

FORMATS = ("online", "in_person", "hybrid")
LANGS = ("en", "es")


class CurationSeeds:
    def collections(self) -> None:
        for f in self.document("collections.yaml", "collections", required=False):
            slug = self.slug(f, "slug")
            record = {
                "slug": slug,
                **self.names(f, "title"),
                **self.names(f, "description", required=False, max_len=4000),
                "is_featured": f.take("is_featured", "bool", required=False, default=False),
                "practices": f.take_list("practices", "int", required=True),
                "_fields": f,
            }
            f.finish()
            if slug and self.unique("collection", slug, f, "slug"):
                self.seeds.collections.append(record)

    def events(self) -> None:
        for f in self.document("events.yaml", "events", required=False):
            slug = self.slug(f, "slug")
            record = {
                "slug": slug,
                **self.names(f, "title"),
                **self.names(f, "description", required=False, max_len=4000),
                "starts_on": f.take("starts_on", "date"),
                **self.names(f, "venue", max_len=200),
                "languages": f.take_list("languages", required=True, choices=LANGS),
                **self.names(f, "note", required=False, max_len=2000),
                "start_time": f.take("start_time", "time", required=False),
                "end_time": f.take("end_time", "time", required=False),
                "time_zone": f.take("time_zone", "zone", required=False, default="UTC"),
                "format": f.take("format", required=False, choices=FORMATS, default="online"),
                "collection": f.take("collection", required=False),
                "organisers": f.take_list("organisers"),
                "agenda": [],
                "_fields": f,
            }
            for item in f.take_maps("agenda"):
                entry = self.names(item, "title")
                entry.update(self.names(item, "description", required=False, max_len=2000))
                entry["starts_at"] = item.take("time", "time", required=False)
                entry["speakers"] = []
                for speaker in item.take_maps("speakers"):
                    entry["speakers"].append(
                        {
                            "name": speaker.take("name", max_len=200),
                            "organisation": speaker.take(
                                "organisation", required=False, default="", max_len=300
                            ),
                        }
                    )
                    speaker.finish()
                entry["practices"] = item.take_list("practices", "int")
                record["agenda"].append(entry)
                item.finish()
            f.finish()
            if slug and self.unique("event", slug, f, "slug"):
                self.seeds.events.append(record)

    def event_references(self, organisations: set[str], practice_ids: set[int]) -> None:
        collections = {c["slug"] for c in self.seeds.collections}
        for event in self.seeds.events:
            f = event.pop("_fields")
            if event["collection"] and event["collection"] not in collections:
                f.problem("collection", f"unknown collection {event['collection']!r}")
            for index, (key, line) in enumerate(event["organisers"]):
                if key not in organisations:
                    f.problem(f"organisers[{index}]", f"unknown organisation {key!r}", line)
            for n, item in enumerate(event["agenda"]):
                for index, (pid, line) in enumerate(item["practices"]):
                    if pid not in practice_ids:
                        f.problem(
                            f"agenda[{n}].practices[{index}]", f"no practice with id {pid}", line
                        )
