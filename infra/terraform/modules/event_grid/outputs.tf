output "system_topic_name" {
  value = azurerm_eventgrid_system_topic.this.name
}
