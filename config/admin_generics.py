"""Django's admin and form base classes with type arguments: `ModelAdmin[Session]`,
`TabularInline[Message, Session]`, `ModelForm[Agent]`.

django-stubs types these classes as generics, but Django's own classes take no type
arguments at run time (django-stubs-ext would patch them in; Epiloop does not depend on
it). So mypy sees the stubs' generic classes here, and at run time `ModelAdmin[X]` is
`admin.ModelAdmin` itself: the classes built on them are the same as without arguments.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django import forms
from django.contrib import admin

if TYPE_CHECKING:
    ModelAdmin = admin.ModelAdmin
    TabularInline = admin.TabularInline
    ModelForm = forms.ModelForm
else:

    class _Generic:
        """`X[...]` is the class `X`, unchanged."""

        def __init__(self, cls: type) -> None:
            self.cls = cls

        def __getitem__(self, _arguments: object) -> type:
            return self.cls

    ModelAdmin = _Generic(admin.ModelAdmin)
    TabularInline = _Generic(admin.TabularInline)
    ModelForm = _Generic(forms.ModelForm)
