from django.urls import path
from drf_spectacular.views import SpectacularJSONAPIView

from . import views

app_name = "api"

urlpatterns = [
    path("plans/", views.PlanListView.as_view(), name="plan_list"),
    path("plans/<str:slug>/status/", views.PlanStatusView.as_view(), name="plan_status"),
    path("schema/", SpectacularJSONAPIView.as_view(), name="schema"),
]
