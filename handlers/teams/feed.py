"""Teams activity-feed notifications (Graph ``/users/{id}/teamwork/sendActivityNotification``).

Used when the bot has no chat with a person yet: the notification says an action needs them and opens
a chat with the bot; once they open it the bot stores the conversation and the next message arrives
as a card. The activity type is declared in teams/manifest.json. Needs TeamsActivity.Send.
"""

from __future__ import annotations

from msgraph.generated.models.item_body import ItemBody
from msgraph.generated.models.key_value_pair import KeyValuePair
from msgraph.generated.models.teamwork_activity_topic import TeamworkActivityTopic
from msgraph.generated.models.teamwork_activity_topic_source import TeamworkActivityTopicSource
from msgraph.generated.users.item.teamwork.send_activity_notification.send_activity_notification_post_request_body import (  # noqa: E501
    SendActivityNotificationPostRequestBody,
)
from msgraph.graph_service_client import GraphServiceClient

from bot.actions.messages import Message

#: Must match an activityTypes entry in teams/manifest.json.
ACTIVITY_TYPE = "actionNeedsYou"


def chat_link(bot_app_id: str) -> str:
    """A Teams deep link that opens the 1:1 chat with the bot."""
    return f"https://teams.microsoft.com/l/chat/0/0?users=28:{bot_app_id}"


class ActivityFeed:
    def __init__(self, graph: GraphServiceClient, bot_app_id: str, teams_app_id: str | None = None) -> None:
        self.graph = graph
        self.bot_app_id = bot_app_id
        self.teams_app_id = teams_app_id

    async def notify(self, object_id: str, message: Message) -> None:
        """Tell one person (Entra object id) that an action needs them. Raises the SDK's errors."""
        body = SendActivityNotificationPostRequestBody(
            topic=TeamworkActivityTopic(
                source=TeamworkActivityTopicSource.Text, value="actionbot", web_url=chat_link(self.bot_app_id)
            ),
            activity_type=ACTIVITY_TYPE,
            preview_text=ItemBody(content="Open actionbot to see it and update it."),
            template_parameters=[KeyValuePair(name="summary", value=" ".join(message.title.split())[:150])],
            teams_app_id=self.teams_app_id,
        )
        await self.graph.users.by_user_id(object_id).teamwork.send_activity_notification.post(body)
