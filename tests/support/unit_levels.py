"""Reading HR's heatmap as a person would: open every level, follow every page."""

import re

from django.test import Client

OPENS = re.compile(r'<a class="opens" href="\?cycle=\d+&amp;((?:team|unit)=\d+)">')
NEXT = re.compile(r'<a rel="next" href="\?([^"]+)">')


def every_level(client: Client, path: str, cycle_id: int) -> list[str]:
    """Each page of `path` (/hr/heatmap/ or /hr/participation/) that a reader reaches from the
    first by opening units and following "Next", each once."""
    pages: list[str] = []
    waiting, seen = [f"cycle={cycle_id}"], set()
    while waiting:
        query = waiting.pop().replace("&amp;", "&")
        if query in seen:
            continue
        seen.add(query)
        response = client.get(f"{path}?{query}")
        assert response.status_code == 200, (query, response.status_code)
        page = response.content.decode()
        pages.append(page)
        waiting.extend(f"cycle={cycle_id}&{unit}" for unit in OPENS.findall(page))
        waiting.extend(NEXT.findall(page))
    return pages
