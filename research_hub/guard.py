"""Role checks in front of the subsystems `Hub` hands out (highlights, insights, roadmap, QDA).

`Guarded` wraps one of them: each public method named in its table runs only if
the workspace's acting user has that permission. A method missing from the table
needs the editor role, so one added later is never left open by mistake.
"""
from __future__ import annotations

from typing import Any

from research_hub.core.access import Permission

READ, EDIT, ADMIN = Permission.READ, Permission.EDIT, Permission.ADMIN

HIGHLIGHTS = {"add": EDIT, "tag": EDIT, "note": EDIT, "remove": EDIT, "link": EDIT,
              "locate": READ, "get": READ, "list": READ, "search": READ, "reader": READ}
INSIGHTS = {"add": EDIT, "propose": EDIT, "draft": EDIT, "edit": EDIT, "accept": EDIT, "archive": EDIT,
            "remove": EDIT, "attach": EDIT, "detach": EDIT, "link": EDIT,
            "get": READ, "list": READ, "counter": READ}
ROADMAP = {"import_file": EDIT, "add": EDIT, "edit": EDIT, "archive": EDIT, "link": EDIT, "reject": EDIT,
           "confirm_theme": EDIT, "reject_theme": EDIT,
           "features": READ, "feature": READ, "suggest": READ, "links": READ, "themes": READ,
           "table": READ, "priority": READ, "show": READ}
QDA = {"import_qdc": ADMIN, "import_qdpx": ADMIN,
       "project": READ, "export_qdpx": READ, "export_qdc": READ, "file_name": READ}


class Guarded:
    def __init__(self, target: Any, workspace, needs: dict[str, Permission], noun: str):
        self._target, self._workspace, self._needs, self._noun = target, workspace, needs, noun

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._target, name)
        need = self._needs.get(name, EDIT)
        if name.startswith("_") or not callable(attr) or need is READ:
            return attr

        def checked(*args, **kwargs):
            self._workspace.require(need, f"{name.replace('_', ' ')} {self._noun}")
            return attr(*args, **kwargs)
        return checked
