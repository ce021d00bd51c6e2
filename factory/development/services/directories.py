"""Directories of the job, script and resource trees: create, ensure, rename, move, delete.

A directory's ``path`` and ``depth`` are kept in step with its parents here, and so is the
``directory`` key of the documents of the jobs and scripts inside: in bulk, never one query per row.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import F, Func, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce, Concat, Substr

from factory.development.models import MAX_DIRECTORY_DEPTH, Category, Directory, Job, Resource, Script
from factory.development.validation import directory_name_validate, directory_path_parse
from factory.errors import Conflict, ErrorCode, NotFound, ValidationError
from factory.workspaces.models import Workspace

MAX_DIRECTORIES = 5000  # per workspace and tree, as in DataArts
_IN_BATCH = 1000  # values per IN list or INSERT: within every database's limit of parameters

ELEMENT_MODELS: dict[str, type[Job] | type[Script] | type[Resource]] = {
    Category.JOB: Job,
    Category.SCRIPT: Script,
    Category.RESOURCE: Resource,
}


class _JsonSetDirectory(Func):
    """``document`` with its "directory" key set to a string expression, in the database."""

    output_field = models.JSONField()

    def as_sql(self, compiler, connection, **extra_context):  # SQLite, MySQL: json_set(doc, '$.key', value)
        doc_sql, doc_params = compiler.compile(self.source_expressions[0])
        value_sql, value_params = compiler.compile(self.source_expressions[1])
        return f"json_set({doc_sql}, '$.directory', {value_sql})", (*doc_params, *value_params)

    def as_postgresql(self, compiler, connection, **extra_context):
        doc_sql, doc_params = compiler.compile(self.source_expressions[0])
        value_sql, value_params = compiler.compile(self.source_expressions[1])
        return (
            f"jsonb_set({doc_sql}, '{{directory}}', to_jsonb(({value_sql})::text))",
            (*doc_params, *value_params),
        )


def documents_directory_sync(queryset: models.QuerySet) -> int:
    """Set ``document["directory"]`` of every row of ``queryset`` (jobs or scripts) to its directory's path."""
    path = Subquery(Directory.objects.filter(pk=OuterRef("directory_id")).values("path")[:1])
    return queryset.update(document=_JsonSetDirectory(F("document"), Coalesce(path, Value("/"))))


def _category_check(category: str) -> str:
    if category not in Category.values:
        message = f"Unknown directory category {category!r}; use one of {', '.join(Category.values)}."
        raise ValidationError(message, fields={"category": message})
    return category


def _clean(directory: Directory) -> None:
    try:
        directory.full_clean(
            exclude=["workspace", "parent"], validate_unique=False, validate_constraints=False
        )
    except DjangoValidationError as exc:
        fields = {key: " ".join(messages) for key, messages in exc.message_dict.items()}
        raise ValidationError(next(iter(fields.values())), fields=fields) from exc


def _save_new(directory: Directory) -> Directory:
    _clean(directory)
    try:
        with transaction.atomic():
            directory.save()
    except IntegrityError as exc:
        raise Conflict(
            f"Directory {directory.path} already exists.", code=ErrorCode.DIRECTORY_EXISTS
        ) from exc
    return directory


def directory_get_by_path(*, workspace: Workspace, category: str, path: str | None) -> Directory | None:
    """The directory at ``path`` (None for the root "/"); NotFound naming the path when it does not exist."""
    parts = directory_path_parse(path)
    if not parts:
        return None
    full = "/" + "/".join(parts)
    directory = Directory.objects.filter(workspace=workspace, category=category, path=full).first()
    if directory is None:
        raise NotFound(f"Directory {full} does not exist.", code=ErrorCode.DIRECTORY_NOT_FOUND)
    return directory


def directory_create(*, workspace: Workspace, user: User, category: str, path: str) -> Directory:
    """Create the directory at ``path``; its parent must exist."""
    _category_check(category)
    parts = directory_path_parse(path)
    if not parts:
        raise ValidationError(
            "The root directory / always exists.", fields={"path": "Enter a directory path."}
        )
    full = "/" + "/".join(parts)
    parent = directory_get_by_path(workspace=workspace, category=category, path="/".join(parts[:-1]))
    if Directory.objects.filter(workspace=workspace, category=category, path=full).exists():
        raise Conflict(f"Directory {full} already exists.", code=ErrorCode.DIRECTORY_EXISTS)
    if Directory.objects.filter(workspace=workspace, category=category).count() >= MAX_DIRECTORIES:
        raise Conflict(
            f"A workspace holds at most {MAX_DIRECTORIES} {category} directories.", code=ErrorCode.LIMIT
        )
    directory = Directory(
        workspace=workspace, category=category, parent=parent, name=parts[-1], path=full, depth=len(parts)
    )
    return _save_new(directory)


def directory_ensure(*, workspace: Workspace, category: str, path: str | None) -> Directory | None:
    """The directory at ``path``, created with any missing ancestors; None for the root "/"."""
    _category_check(category)
    parts = directory_path_parse(path, field="directory")
    if not parts:
        return None
    paths = ["/" + "/".join(parts[: i + 1]) for i in range(len(parts))]
    existing = {
        d.path: d for d in Directory.objects.filter(workspace=workspace, category=category, path__in=paths)
    }
    parent = None
    for depth, (name, full) in enumerate(zip(parts, paths, strict=True), start=1):
        directory = existing.get(full)
        if directory is None:
            # get_or_create runs in a savepoint, so a concurrent import creating the same one is harmless.
            directory, _ = Directory.objects.get_or_create(
                workspace=workspace,
                category=category,
                path=full,
                defaults={"parent": parent, "name": name, "depth": depth},
            )
        parent = directory
    return parent


def directories_ensure(*, workspace: Workspace, category: str, paths: Iterable[str]) -> dict[str, Directory]:
    """The directory at each of ``paths`` (canonical, as ``directory_path_normalize`` gives them; the root
    "/" is left out of the answer), created with any missing ancestors as ``directory_ensure`` would.

    A constant number of queries however many paths: one to read those that exist, one per depth to
    create the missing ones. A directory a concurrent import creates meanwhile is taken, not refused.
    """
    _category_check(category)
    wanted: set[str] = set()
    for path in paths:
        parts = [part for part in path.split("/") if part]
        wanted.update("/" + "/".join(parts[: i + 1]) for i in range(len(parts)))
    if not wanted:
        return {}
    found: dict[str, Directory] = {}
    ordered = sorted(wanted)
    for start in range(0, len(ordered), _IN_BATCH):
        chunk = ordered[start : start + _IN_BATCH]
        found.update(
            (d.path, d)
            for d in Directory.objects.filter(workspace=workspace, category=category, path__in=chunk)
        )
    missing = sorted(wanted - set(found), key=lambda p: (p.count("/"), p))
    for depth in sorted({p.count("/") for p in missing}):
        rows = []
        for full in (p for p in missing if p.count("/") == depth):
            parent_path, _, name = full.rpartition("/")
            rows.append(
                Directory(
                    workspace=workspace,
                    category=category,
                    parent=found.get(parent_path),
                    name=name,
                    path=full,
                    depth=depth,
                )
            )
        # ON CONFLICT DO UPDATE (of a column the conflict implies) returns the key of a row another
        # import created meanwhile, where ON CONFLICT DO NOTHING would return none.
        created = Directory.objects.bulk_create(
            rows,
            batch_size=_IN_BATCH,
            update_conflicts=True,
            unique_fields=["workspace", "category", "path"],
            update_fields=["name"],
        )
        found.update((d.path, d) for d in created)
    return found


@transaction.atomic
def directory_update(
    *, directory: Directory, user: User, name: str | None = None, parent_path: str | None = None
) -> Directory:
    """Rename and/or move ``directory`` (``parent_path`` "/" is the root; None keeps the parent).

    Every descendant's path and depth follow, and so does the ``directory`` key of the documents of the
    jobs and scripts below.
    """
    directory = Directory.objects.select_for_update().get(pk=directory.pk)
    old_path = directory.path
    new_name = directory_name_validate(name) if name is not None else directory.name
    if parent_path is None:
        parent = directory.parent
    else:
        parent = directory_get_by_path(
            workspace=directory.workspace, category=directory.category, path=parent_path
        )
        if parent is not None and (parent.pk == directory.pk or parent.path.startswith(old_path + "/")):
            message = f"Directory {old_path} cannot be moved into itself or one of its subdirectories."
            raise ValidationError(message, fields={"parentPath": message})
    new_path = (parent.path if parent else "") + "/" + new_name
    if new_path == old_path:
        return directory
    scope = Directory.objects.filter(workspace=directory.workspace, category=directory.category)
    if scope.filter(path=new_path).exists():
        raise Conflict(f"Directory {new_path} already exists.", code=ErrorCode.DIRECTORY_EXISTS)
    descendants = scope.filter(path__startswith=old_path + "/")
    deepest = descendants.aggregate(deepest=models.Max("depth"))["deepest"] or directory.depth
    new_depth = (parent.depth if parent else 0) + 1
    delta = new_depth - directory.depth
    if deepest + delta > MAX_DIRECTORY_DEPTH:
        message = (
            f"Moving {old_path} to {new_path} would nest its contents {deepest + delta} levels deep; "
            f"directories nest at most {MAX_DIRECTORY_DEPTH} levels."
        )
        raise ValidationError(message, fields={"parentPath": message})
    descendants.update(
        path=Concat(Value(new_path), Substr("path", len(old_path) + 1), output_field=models.CharField()),
        depth=F("depth") + delta,
    )
    directory.parent, directory.name, directory.path, directory.depth = parent, new_name, new_path, new_depth
    _clean(directory)
    directory.save()
    if directory.category in (Category.JOB, Category.SCRIPT):
        model = ELEMENT_MODELS[directory.category]
        subtree = scope.filter(models.Q(pk=directory.pk) | models.Q(path__startswith=new_path + "/"))
        documents_directory_sync(model.objects.filter(directory_id__in=subtree.values("pk")))
    return directory


def directory_rename(*, directory: Directory, user: User, name: str) -> Directory:
    return directory_update(directory=directory, user=user, name=name)


def directory_move(*, directory: Directory, user: User, parent_path: str) -> Directory:
    return directory_update(directory=directory, user=user, parent_path=parent_path or "/")


@transaction.atomic
def directory_delete(*, directory: Directory, user: User) -> None:
    """Delete an empty directory; one with sub-directories or elements is refused."""
    directory = Directory.objects.select_for_update().get(pk=directory.pk)
    model = ELEMENT_MODELS[directory.category]
    if directory.children.exists() or model.objects.filter(directory=directory).exists():
        raise Conflict(f"Directory {directory.path} is not empty.", code=ErrorCode.DIRECTORY_NOT_EMPTY)
    directory.delete()
