"""viewflow's processes and tasks in the admin: scoped by ``access.policy`` and read-only.

viewflow registers admins of its own that list every unit's processes,
tasks and assignees; they are replaced here. A process moves only through
its task pages and the case services, which record the legal act.
"""
from django.contrib import admin
from viewflow.workflow.admin import FlowClassListFilter
from viewflow.workflow.models import Process, Task

from access import policy
from access.admin import ReadOnlyInline, ReadOnlyPolicyModelAdmin

from .models import CaseProcess

for model in (Process, Task):
    if admin.site.is_registered(model):
        admin.site.unregister(model)


class TaskInline(ReadOnlyInline, admin.TabularInline):
    model = Task
    fields = ["flow_task", "flow_task_type", "status", "owner", "owner_permission", "created", "finished"]
    readonly_fields = fields


@admin.register(Process)
class ProcessAdmin(ReadOnlyPolicyModelAdmin):
    list_display = ["pk", "created", "flow_class", "status", "finished"]
    list_filter = ["status", FlowClassListFilter]
    date_hierarchy = "created"
    fields = ["flow_class", "status", "created", "finished", "parent_task"]
    readonly_fields = fields
    inlines = [TaskInline]

    def scope(self, request, queryset):
        return queryset.filter(pk__in=CaseProcess.objects.filter(policy.process_q(request.user)).values("pk"))


@admin.register(Task)
class TaskAdmin(ReadOnlyPolicyModelAdmin):
    list_display = ["pk", "created", "process", "flow_task", "status", "owner", "owner_permission", "finished"]
    list_filter = ["status"]
    date_hierarchy = "created"
    fields = ["process", "flow_task", "status", "owner", "owner_permission", "created", "started", "finished",
              "previous"]
    readonly_fields = fields
    list_select_related = ["process", "owner"]

    def scope(self, request, queryset):
        return queryset.filter(policy.task_q(request.user))
