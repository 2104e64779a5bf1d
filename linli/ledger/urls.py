from django.urls import path

from linli.ledger import views, views_public, views_staff

app_name = "ledger"
urlpatterns = [
    path("", views.home, name="home"),
    # time bank (LEDGER-1)
    path("time/", views.time_home, name="time"),
    path("time/record/", views.record, name="record"),
    path("time/records/<int:record_id>/confirm/", views.confirm, name="confirm"),
    path("time/records/<int:record_id>/dispute/", views.dispute, name="dispute"),
    path("time/grid/", views.grid_confirm, name="grid_confirm"),
    path("time/requests/new/", views.request_create, name="request_new"),
    path("time/requests/<int:request_id>/cancel/", views.request_cancel, name="request_cancel"),
    path("time/family/", views.family_request, name="family"),
    path("time/family/<int:link_id>/accept/", views.family_accept, name="family_accept"),
    path("time/gift/", views.gift, name="gift"),
    # points and rewards (LEDGER-2)
    path("points/", views.points_home, name="points"),
    path("rewards/", views.rewards, name="rewards"),
    path("rewards/<int:reward_id>/redeem/", views.redeem, name="redeem"),
    path("vouchers/<int:voucher_id>/", views.voucher, name="voucher"),
    path("merchant/", views_staff.merchant, name="merchant"),
    path("staff/points/", views_staff.staff_points, name="staff_points"),
    path("staff/points/award/", views_staff.award, name="award"),
    path("staff/<int:community_id>/rewards/", views_staff.reward_new, name="reward_new"),
    path(
        "staff/<int:community_id>/rewards/<int:reward_id>/",
        views_staff.reward_edit,
        name="reward_edit",
    ),
    path("staff/vouchers/<int:voucher_id>/cancel/", views_staff.voucher_void, name="voucher_void"),
    # funds (LEDGER-3) and community economy (LEDGER-4)
    path("staff/funds/", views_staff.staff_funds, name="staff_funds"),
    path("staff/<int:community_id>/donations/", views_staff.donate, name="donate"),
    path("staff/<int:community_id>/cap/", views_staff.set_cap, name="set_cap"),
    path("staff/<int:community_id>/projects/", views_staff.project_new, name="project_new"),
    path("staff/<int:community_id>/income/", views_staff.income, name="income"),
    path("staff/projects/<int:project_id>/decide/", views_staff.decide, name="decide"),
    path("staff/projects/<int:project_id>/disburse/", views_staff.disburse, name="disburse"),
    path("funds/", views_public.public_funds, name="public_funds"),
    path("funds/<int:community_id>/", views_public.public_fund, name="public_fund"),
    # sharing (LEDGER-4)
    path("share/", views_public.share, name="share"),
    path("share/items/", views_public.share_new, name="share_new"),
    path("share/items/<int:item_id>/rent/", views_public.rent, name="rent"),
    path("share/items/<int:item_id>/active/", views_public.share_toggle, name="share_toggle"),
    # Excel export of an account's history
    path("accounts/<int:account_id>/export/", views.export, name="export"),
]
