"""Model.full_clean without the queries it spends a row.

Django's full_clean asks the database once per foreign key (does the related row exist?)
and once per CheckConstraint (`SELECT 1 WHERE <condition>`), for every row a service
saves: four to ten queries before the INSERT, each compiled anew. Loading the demo went
through the services ~10,000 times and spent a third of its time there. Here:

- a foreign key whose related row the caller holds as a loaded instance is not looked up
  again (the database's own foreign key still refuses a row that went away meanwhile);
- every CheckConstraint of the model is evaluated in one query, a column each, and only
  the failing ones raise their `violation_error_message`, as full_clean would.

Field validation, clean(), unique checks and UniqueConstraints (which must look at other
rows) are Django's own.
"""

from django.core.exceptions import NON_FIELD_ERRORS, FieldError, ValidationError
from django.db import DatabaseError, connections, router, transaction
from django.db.models import BooleanField, CheckConstraint, ExpressionWrapper, Q, Value
from django.db.models.functions import Coalesce
from django.db.models.sql import Query
from django.db.models.sql.constants import SINGLE


def loaded_foreign_keys(instance) -> set[str]:
    """The names of `instance`'s foreign keys whose related instance is loaded."""
    return {
        field.name
        for field in instance._meta.concrete_fields
        if field.many_to_one
        and field.is_cached(instance)
        and field.get_cached_value(instance) is not None
    }


def full_clean(instance, exclude=(), *, validate_unique=True, validate_constraints=True):
    """As Model.full_clean(exclude, validate_unique, validate_constraints), with the
    queries above taken out; raises the same ValidationError."""
    exclude = set(exclude)
    errors: dict = {}
    try:
        instance.clean_fields(exclude=exclude | loaded_foreign_keys(instance))
    except ValidationError as error:
        errors = error.update_error_dict(errors)
    try:
        instance.clean()
    except ValidationError as error:
        errors = error.update_error_dict(errors)
    if validate_unique:
        try:
            instance.validate_unique(exclude=exclude | set(errors))
        except ValidationError as error:
            errors = error.update_error_dict(errors)
    if validate_constraints:
        try:
            validate_model_constraints(instance, exclude=exclude | set(errors))
        except ValidationError as error:
            errors = error.update_error_dict(errors)
    if errors:
        raise ValidationError(errors)


def validate_model_constraints(instance, exclude=()) -> None:
    """Model.validate_constraints, the CheckConstraints in one query."""
    using = router.db_for_write(instance.__class__, instance=instance)
    connection = connections[using]
    errors: dict = {}
    checks: list[tuple] = []
    for model, constraints in instance.get_constraints():
        for constraint in constraints:
            if isinstance(constraint, CheckConstraint) and (
                connection.features.supports_comparing_boolean_expr
            ):
                checks.append((model, constraint))
                continue
            try:
                constraint.validate(model, instance, exclude=exclude, using=using)
            except ValidationError as error:
                _add(errors, constraint, error)
    for constraint in failing_checks(instance, checks, exclude, using):
        error = ValidationError(
            constraint.get_violation_error_message(), code=constraint.violation_error_code
        )
        _add(errors, constraint, error)
    if errors:
        raise ValidationError(errors)


def _add(errors: dict, constraint, error: ValidationError) -> None:
    # As Model.validate_constraints: a constraint naming one field reports on that field
    # when its error says nothing more particular.
    if getattr(error, "code", None) == "unique" and len(getattr(constraint, "fields", ())) == 1:
        errors.setdefault(constraint.fields[0], []).append(error)
    else:
        errors = error.update_error_dict(errors)


def failing_checks(instance, checks, exclude, using) -> list:
    """The CheckConstraints of `checks` ((model, constraint)) that `instance` breaks: one
    SELECT with a column a constraint, each true when it holds or is unknown (NULL), as
    Q.check counts it. A constraint on an excluded field is skipped, as Django skips it."""
    if not checks:
        return []
    query = Query(None)
    against = instance._get_field_expression_map(meta=instance._meta, exclude=exclude)
    for name, value in against.items():
        if not hasattr(value, "resolve_expression"):
            value = Value(value)
        query.add_annotation(value, name, select=False)
    columns = []
    for index, (_model, constraint) in enumerate(checks):
        holds = Coalesce(
            ExpressionWrapper(Q(constraint.condition), output_field=BooleanField()),
            True,
            output_field=BooleanField(),
        )
        try:
            query.add_annotation(holds, f"_check_{index}")
        except FieldError:  # a field left out: not checked, as Django does
            continue
        columns.append(constraint)
    if not columns:
        return []
    connection = connections[using]
    context = transaction.atomic(using=using) if connection.in_atomic_block else _nothing()
    try:
        with context:
            row = query.get_compiler(using=using).execute_sql(SINGLE)
    except DatabaseError:
        # As Q.check: a condition the database cannot evaluate here is not a user's error.
        return []
    return [constraint for constraint, holds in zip(columns, row, strict=True) if not holds]


class _nothing:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


__all__ = ["full_clean", "NON_FIELD_ERRORS"]
