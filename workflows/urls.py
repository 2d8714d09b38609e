"""Workflow URLs: viewflow's inbox, queue, process and task pages, plus the acts outside the main path."""
from django.urls import path
from viewflow.workflow.flow import FlowAppViewset

from . import views
from .flows import CaseFlow


class CaseFlowViewset(FlowAppViewset):
    inbox_view_class = views.CaseInboxView
    queue_view_class = views.CaseQueueView
    process_list_view_class = views.CaseProcessListView
    task_list_view_class = views.CaseTaskListView
    dashboard_view_class = views.CaseDashboardView
    chart_view_class = views.CaseChartView
    tasks_assign_view_class = views.CaseBulkAssignView
    tasks_unassign_view_class = views.CaseBulkUnassignView

    def get_context_data(self, request):
        """Nothing: viewflow put its own inbox and (permission-based) queue here for its menu's counts, which
        our pages never show (the menu is included with ``only``); building the queue read the user's
        permissions, two queries on every workflow page."""
        return {}

    suspend_path = path("cases/<int:case_pk>/suspend/", views.SuspendView.as_view(), name="case_suspend")
    resume_path = path("cases/<int:case_pk>/resume/", views.ResumeView.as_view(), name="case_resume")
    extend_path = path("cases/<int:case_pk>/extend/", views.ExtendView.as_view(), name="case_extend")
    request_extension_path = path("cases/<int:case_pk>/extension/request/", views.RequestExtensionView.as_view(),
                                  name="case_request_extension")
    approve_extension_path = path("cases/<int:case_pk>/extension/approve/", views.ApproveExtensionView.as_view(),
                                  name="case_approve_extension")
    refuse_extension_path = path("cases/<int:case_pk>/extension/refuse/", views.RefuseExtensionView.as_view(),
                                 name="case_refuse_extension")
    withdraw_path = path("cases/<int:case_pk>/withdraw/", views.WithdrawView.as_view(), name="case_withdraw")
    assign_path = path("cases/<int:case_pk>/assign/", views.AssignView.as_view(), name="case_assign")
    refuse_path = path("cases/<int:case_pk>/refuse/", views.RefuseView.as_view(), name="case_refuse")
    notices_path = path("cases/<int:case_pk>/notices/", views.SendNoticesView.as_view(), name="case_send_notices")
    appeal_path = path("cases/<int:case_pk>/appeal/", views.AppealView.as_view(), name="case_appeal")
    appeal_overdue_path = path("cases/<int:case_pk>/appeal-overdue/", views.AppealOverdueView.as_view(),
                               name="case_appeal_overdue")
    complexity_path = path("cases/<int:case_pk>/complexity/", views.ReassessComplexityView.as_view(),
                           name="case_reassess_complexity")
    remind_path = path("cases/<int:case_pk>/remind/", views.RemindView.as_view(), name="case_remind")
    send_notice_path = path("cases/<int:case_pk>/notices/sent/", views.SendNoticeView.as_view(), name="case_send_notice")


urlpatterns = [path("", CaseFlowViewset(CaseFlow, app_name="workflow").urls)]
